using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.ClickHouse.Cluster;

/// <summary>A FastIngest node writing to the shard's two replicas (issue 19): one down never holds the shard's writes.</summary>
public sealed partial class ReplicatedClusterTests
{
    [Fact]
    public async Task ANodeWritesToTheReplicaThatIsUpAndGivesTheSchemaToOneThatWasDownWhenItFailsOverToIt()
    {
        string db = UniqueName.For("cl_failover");
        string local = db + "_local";
        var lines = new NginxLines(seed: 60);
        string[] args = [.. shard.Cluster.ServerArguments(), $"--FastIngest:ClickHouse:LocalDatabase={local}", "--FastIngest:ClickHouse:MaxRetryDelay=00:00:00.500"];
        bool aUp = true, bUp = true;
        try
        {
            // A, the shard's first replica, is down as the node starts: the schema goes to B, and so do the writes.
            await A.StopAsync();
            aUp = false;
            await using ServerProcess node = await ServerProcess.StartAsync(B, db, args);
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(IPAddress.Loopback, node.TcpPort);
            await client.GetStream().WriteAsync(lines.OctetCountedFrames(2_000, step: 0, "r"));
            await WaitUntilWrittenAsync(node, B, local, 2_000);
            Assert.Equal(1, await node.MetricAsync("fastingest_clickhouse_shard_replica"));
            Assert.True(await node.MetricAsync("fastingest_clickhouse_shard_replica_failovers_total") >= 1, "the move to B is counted");

            // A back (without the schema: it was down when it was applied), B gone: the node fails over to A,
            // finds no tables there, applies the schema to A and writes.
            await A.StartAsync();
            aUp = true;
            await B.StopAsync();
            bUp = false;
            await client.GetStream().WriteAsync(lines.OctetCountedFrames(3_000, step: 1, "r"));
            await WaitUntilWrittenAsync(node, A, local, 3_000);
            Assert.Equal(0, await node.MetricAsync("fastingest_clickhouse_shard_replica"));
            Assert.True(await node.MetricAsync("fastingest_clickhouse_shard_replica_failovers_total") >= 2, "the move back to A is counted");

            // B back: the two replicas exchange their parts, and each holds every line once.
            await B.StartAsync();
            bUp = true;
            Assert.Equal(0, await node.TerminateAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("can't be reached: the shard's schema goes to its other replicas", node.Output, StringComparison.Ordinal);
            Assert.Contains("ClickHouse has no table or database for an insert", node.Output, StringComparison.Ordinal);
            foreach (PrivateClickHouse replica in new[] { A, B })
            {
                foreach (string table in Tsv.Rows(await replica.QueryAsync($"SELECT name FROM system.tables WHERE database = '{local}' AND engine LIKE 'Replicated%' FORMAT TSV")).Select(r => r[0]))
                {
                    await replica.ExecuteAsync($"SYSTEM SYNC REPLICA {local}.{table}");
                }

                await TrafficTotals.AssertAsync(replica, local, lines.Expected);
            }
        }
        finally
        {
            if (!aUp)
            {
                await A.StartAsync();
            }

            if (!bUp)
            {
                await B.StartAsync();
            }
        }
    }

    /// <summary>Until <paramref name="replica"/>'s local traffic_1m holds at least <paramref name="requests"/> and nothing waits in the node's spool or queue.</summary>
    private static async Task WaitUntilWrittenAsync(ServerProcess node, PrivateClickHouse replica, string local, long requests) =>
        await Eventually.UntilAsync(
            async () => (Requests: await RequestsIfCreatedAsync(replica, local), Spooled: await node.MetricAsync("fastingest_spool_records"),
                Queued: await node.MetricAsync("fastingest_clickhouse_queued_batches")),
            held => held.Requests >= requests && held.Spooled == 0 && held.Queued == 0,
            TimeSpan.FromSeconds(60), $"{replica.HttpUri} to hold {requests} requests, nothing spooled or queued (requests, spool records, queued batches)");

    /// <summary>traffic_1m's requests on <paramref name="replica"/>; 0 while the node has not created the table there yet.</summary>
    private static async Task<long> RequestsIfCreatedAsync(PrivateClickHouse replica, string local) =>
        (await replica.QueryAsync($"SELECT count() FROM system.tables WHERE database = '{local}' AND name = 'traffic_1m' FORMAT TSV")).Trim() == "1"
            ? await TrafficTotals.RequestsAsync(replica, local)
            : 0;
}
