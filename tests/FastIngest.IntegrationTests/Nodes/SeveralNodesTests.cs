using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Nodes;

/// <summary>
/// Several FastIngest nodes writing to one ClickHouse (issue 19, docs/scaling-out.md): real node processes,
/// real NGINX sending its access log over UDP syslog, relays' TCP connections, the kernel's
/// <c>SO_REUSEPORT</c> or the NGINX <c>stream</c> balancer of deploy/balancer/ spreading them. Whichever
/// node counted a line, ClickHouse must hold exactly what NGINX wrote to its file logs, and the visitors
/// two nodes saw must be counted once (the same <c>VisitorSecret</c> on both).
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed partial class SeveralNodesTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    /// <summary>The one secret every node of a deployment shares, so a visitor hashes alike on each.</summary>
    private const string VisitorSecret = "several-nodes-share-one-visitor-secret-0123456789";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TwoNodesSharingOnePortWithReusePortEachTakeAShareAndTogetherCountExactlyNginxsFileLog()
    {
        string db = UniqueName.For("reuseport");
        int udpPort = FreePorts.Udp(), tcpPort = FreePorts.Tcp();
        string[] shared = ["--FastIngest:Syslog:ReusePort=true", $"--FastIngest:Syslog:UdpPort={udpPort}", $"--FastIngest:Syslog:TcpPort={tcpPort}"];
        await using ServerProcess first = await StartNodeAsync(db, shared);
        await using ServerProcess second = await StartNodeAsync(db, shared);
        Assert.Contains("shared with other processes: True", second.Output, StringComparison.Ordinal);
        await using NginxSites sites = await NginxSites.StartAsync(udpPort);

        // Twelve NGINX flows over UDP, and 24 relay connections over TCP: the kernel hashes each to a node.
        var relayed = new NginxLines(seed: 19);
        long drops = KernelUdpDrops.Now();
        Task tcp = SendOverTcpAsync(tcpPort, relayed, connections: 24, linesPerConnection: 25);
        await sites.ServeAsync(perTenant: 40);
        await tcp;

        Dictionary<string, TenantTotals> expected = await ExpectedAsync(sites, relayed);
        await WaitForRequestsAsync(db, expected, sites, drops, first, second);
        NodeShare[] shares = [await NodeShare.OfAsync(first), await NodeShare.OfAsync(second)];
        output.WriteLine($"NGINX served {sites.Served} requests; relays sent 600 lines; nodes took {string.Join(", ", shares)}");
        Assert.Equal(sites.Served, shares.Sum(s => s.Datagrams));
        Assert.Equal(24, shares.Sum(s => s.Connections));
        Assert.All(shares, s => Assert.True(s.Datagrams > 0 && s.Connections > 0, $"every node must take a share: {string.Join(", ", shares)}"));

        await StopAndAssertAsync(db, sites, expected, first, second);
    }

    [Fact]
    public async Task TwoNodesBehindTheNginxStreamBalancerCountExactlyNginxsFileLogAndEachVisitorOnce()
    {
        string db = UniqueName.For("balanced");
        await using ServerProcess first = await StartNodeAsync(db);
        await using ServerProcess second = await StartNodeAsync(db);
        await using NginxBalancer balancer = await NginxBalancer.StartAsync([first.UdpPort, second.UdpPort], [first.TcpPort, second.TcpPort]);
        await using NginxSites sites = await NginxSites.StartAsync(balancer.UdpPort);

        var relayed = new NginxLines(seed: 20);
        long drops = KernelUdpDrops.Now();
        Task tcp = SendOverTcpAsync(balancer.TcpPort, relayed, connections: 8, linesPerConnection: 50);
        await sites.ServeAsync(perTenant: 40);
        await tcp;

        Dictionary<string, TenantTotals> expected = await ExpectedAsync(sites, relayed);
        await WaitForRequestsAsync(db, expected, sites, drops, first, second);
        NodeShare[] shares = [await NodeShare.OfAsync(first), await NodeShare.OfAsync(second)];
        output.WriteLine($"NGINX served {sites.Served} requests; relays sent 400 lines; nodes took {string.Join(", ", shares)}");
        Assert.Equal(sites.Served, shares.Sum(s => s.Datagrams));
        // Round robin, datagram by datagram (proxy_responses 0); least_conn over 8 open connections.
        Assert.All(shares, s => Assert.True(s.Datagrams >= sites.Served / 4 && s.Connections >= 2, $"the balancer must spread: {string.Join(", ", shares)}"));

        await StopAndAssertAsync(db, sites, expected, first, second);
    }

    /// <summary>
    /// Waits until ClickHouse holds every expected request; if it doesn't, the failure says what the nodes
    /// received and how many datagrams the kernel dropped meanwhile (a full socket buffer: UDP's loss, not
    /// FastIngest's).
    /// </summary>
    private async Task WaitForRequestsAsync(string db, Dictionary<string, TenantTotals> expected, NginxSites sites, long dropsBefore, params ServerProcess[] nodes)
    {
        try
        {
            await TrafficTotals.WaitForRequestsAsync(clickHouse, db, expected.Values.Sum(t => t.Requests), s_timeout);
        }
        catch
        {
            var shares = new List<NodeShare>();
            foreach (ServerProcess node in nodes)
            {
                shares.Add(await NodeShare.OfAsync(node));
            }

            output.WriteLine($"NGINX served {sites.Served} requests; nodes took {string.Join(", ", shares)}; the kernel dropped {KernelUdpDrops.Now() - dropsBefore} datagrams meanwhile (RcvbufErrors, whole machine)");
            throw;
        }
    }

    private Task<ServerProcess> StartNodeAsync(string db, params string[] args) =>
        ServerProcess.StartAsync(clickHouse, db, [$"--FastIngest:Aggregation:VisitorSecret={VisitorSecret}", .. args]);

    private static async Task<Dictionary<string, TenantTotals>> ExpectedAsync(NginxSites sites, NginxLines relayed)
    {
        Dictionary<string, TenantTotals> expected = await sites.FileLogTotalsAsync();
        foreach ((string tenant, TenantTotals totals) in relayed.Expected)
        {
            expected.Add(tenant, totals);
        }

        return expected;
    }

    /// <summary>
    /// Stops every node gracefully, then: every sum of every tenant is exact, nothing was refused, and each
    /// NGINX site's visitors (an agent a day; the balancer gave each to both nodes) are counted once.
    /// </summary>
    private async Task StopAndAssertAsync(string db, NginxSites sites, Dictionary<string, TenantTotals> expected, params ServerProcess[] nodes)
    {
        foreach (ServerProcess node in nodes)
        {
            Assert.Equal(0, await node.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        await TrafficTotals.AssertAsync(clickHouse, db, expected);
        Assert.Equal("0\n", await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV"));
        SortedDictionary<string, int> visitors = await sites.FileLogVisitorsAsync();
        string tenants = string.Join(", ", visitors.Keys.Select(t => $"'{t}'"));
        Assert.Equal(
            visitors.Select(v => $"{v.Key} {v.Value}"),
            Tsv.Rows(await clickHouse.QueryAsync(
                    $"SELECT tenant, sum(v) FROM (SELECT tenant, day, uniqMerge(visitors) AS v FROM {db}.visitors_1d WHERE key = '' AND tenant IN ({tenants}) GROUP BY tenant, day) GROUP BY tenant ORDER BY tenant FORMAT TSV"))
                .Select(r => $"{r[0]} {r[1]}"));
    }

    /// <summary>
    /// What relays send: <paramref name="connections"/> TCP connections, all open at once (so a balancer
    /// counting connections spreads them), each with <paramref name="linesPerConnection"/> octet-counted
    /// NGINX JSON lines of four tenants.
    /// </summary>
    private static async Task SendOverTcpAsync(int port, NginxLines lines, int connections, int linesPerConnection)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var clients = new List<TcpClient>();
        try
        {
            var payloads = new List<byte[]>();
            for (int c = 0; c < connections; c++)
            {
                var client = new TcpClient { NoDelay = true };
                clients.Add(client);
                await client.ConnectAsync(IPAddress.Loopback, port);
                var frames = new MemoryStream();
                for (int i = 0; i < linesPerConnection; i++)
                {
                    string tenant = "relay" + ((c + i) % 4).ToString(CultureInfo.InvariantCulture);
                    frames.Write(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram(tenant, lines.Line(tenant, now - i), withHostname: true)));
                }

                payloads.Add(frames.ToArray());
            }

            await Task.WhenAll(clients.Select((client, c) => client.GetStream().WriteAsync(payloads[c]).AsTask()));
        }
        finally
        {
            foreach (TcpClient client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>What one node took: UDP datagrams and TCP connections, from its /metrics.</summary>
    private readonly record struct NodeShare(int ProcessId, long Datagrams, long Connections, long Lines)
    {
        public static async Task<NodeShare> OfAsync(ServerProcess node) => new(
            node.ProcessId,
            (long)await node.MetricAsync("fastingest_udp_datagrams_total"),
            (long)await node.MetricAsync("fastingest_tcp_connections_total"),
            (long)await node.MetricAsync("fastingest_lines_counted_total"));

        public override string ToString() => $"pid {ProcessId}: {Datagrams} datagrams, {Connections} connections, {Lines} lines counted";
    }
}
