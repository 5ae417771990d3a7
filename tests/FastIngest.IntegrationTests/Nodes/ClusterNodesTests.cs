using System.Text;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.IntegrationTests.ClickHouse.Cluster;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Nodes;

/// <summary>
/// Issue 19 end to end: real NGINX sites send their access logs over UDP syslog to the NGINX
/// <c>stream</c> balancer of deploy/balancer/, which spreads them over two FastIngest nodes, each writing
/// to a cluster of two ClickHouse 18.16 shards (<c>ClickHouse:Shards</c>). Read through the
/// <c>Distributed</c> tables of either server, ClickHouse must hold exactly NGINX's file logs, and each
/// tenant's rows must be on the one shard its name hashes to, whichever node counted them.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ClusterNodesTests(TwoShards shards, ITestOutputHelper output) : IClassFixture<TwoShards>
{
    private const string VisitorSecret = "cluster-nodes-share-one-visitor-secret-0123456789";

    [Fact]
    public async Task TwoNodesBehindTheBalancerIntoTwoShardsCountThroughDistributedExactlyNginxsFileLog()
    {
        PrivateClickHouseCluster cluster = shards.Cluster;
        PrivateClickHouse shard0 = cluster.Shards[0][0], shard1 = cluster.Shards[1][0];
        string db = UniqueName.For("cluster_nodes");
        string[] args = [$"--FastIngest:Aggregation:VisitorSecret={VisitorSecret}", .. cluster.ServerArguments()];
        await using ServerProcess first = await ServerProcess.StartAsync(shard0, db, args);
        await using ServerProcess second = await ServerProcess.StartAsync(shard0, db, args);
        await using NginxBalancer balancer = await NginxBalancer.StartAsync([first.UdpPort, second.UdpPort], [first.TcpPort, second.TcpPort]);
        await using NginxSites sites = await NginxSites.StartAsync(balancer.UdpPort);

        long drops = KernelUdpDrops.Now();
        await sites.ServeAsync(perTenant: 40);
        Dictionary<string, TenantTotals> expected = await sites.FileLogTotalsAsync();
        long requests = expected.Values.Sum(t => t.Requests);
        double[] counted;
        try
        {
            await TrafficTotals.WaitForRequestsAsync(shard0, db, requests, TimeSpan.FromSeconds(60));
        }
        finally
        {
            counted = [await first.MetricAsync("fastingest_lines_counted_total"), await second.MetricAsync("fastingest_lines_counted_total")];
            output.WriteLine($"NGINX served {sites.Served} requests; the nodes counted {counted[0]} and {counted[1]} lines; the kernel dropped {KernelUdpDrops.Now() - drops} datagrams meanwhile (RcvbufErrors, whole machine)");
        }

        Assert.All(counted, c => Assert.True(c > 0, "the balancer must give each node a share"));
        Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await second.TerminateAsync(TimeSpan.FromSeconds(30)));

        // Through the Distributed tables, read from the server that did not serve the nodes' reads.
        await TrafficTotals.AssertAsync(shard1, db, expected);

        // Each tenant on the shard its name hashes to, and only there.
        string local = db + "_local";
        PrivateClickHouse[] servers = [shard0, shard1];
        var onShard = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int shard = 0; shard < servers.Length; shard++)
        {
            foreach (string[] row in Tsv.Rows(await servers[shard].QueryAsync($"SELECT tenant, sum(requests) FROM {local}.traffic_1m GROUP BY tenant FORMAT TSV")))
            {
                Assert.True(onShard.TryAdd(row[0], shard), $"{row[0]} has rows on both shards");
                Assert.Equal(expected[row[0]].Requests.ToString(System.Globalization.CultureInfo.InvariantCulture), row[1]);
            }
        }

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), onShard.Keys.Order(StringComparer.Ordinal));
        Assert.All(onShard, t => Assert.Equal(TenantShard.Of(Encoding.UTF8.GetBytes(t.Key), 2), t.Value));
        Assert.Contains(0, onShard.Values);
        Assert.Contains(1, onShard.Values);
    }
}
