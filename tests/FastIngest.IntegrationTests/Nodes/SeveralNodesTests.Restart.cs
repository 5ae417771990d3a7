using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Nodes;

public sealed partial class SeveralNodesTests
{
    [Fact]
    public async Task ANodeKilledWhileItsClickHouseWasUnreachableReplaysItsOwnSpoolOnRestartAndNothingDoubles()
    {
        string db = UniqueName.For("nodekill");
        using var state = new TempFolder("nodekill");
        await using var gate = new ClickHouseProxy(clickHouse.HttpPort);
        await using ServerProcess killed = await StartNodeAsync(db, $"--FastIngest:StateDirectory={state.Path}", $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{gate.Port}");
        await using ServerProcess steady = await StartNodeAsync(db);
        int udpPort = killed.UdpPort, tcpPort = killed.TcpPort;
        await using NginxBalancer balancer = await NginxBalancer.StartAsync([udpPort, steady.UdpPort], [tcpPort, steady.TcpPort]);
        await using NginxSites sites = await NginxSites.StartAsync(balancer.UdpPort);
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, 1, s_timeout); // NGINX's readiness probe, on either node
        long drops = KernelUdpDrops.Now();

        // ClickHouse unreachable for one node only: its rounds go to its spool, the other node's land.
        gate.Close();
        await sites.ServeAsync(perTenant: 30);
        NodeShare share = await WaitUntilSpooledAsync(killed, steady, sites.Served);
        output.WriteLine($"before the kill: {share} (spooled), {await NodeShare.OfAsync(steady)}");
        Assert.True(share.Datagrams > sites.Served / 4, $"the balancer must give the node a share: {share}");
        await killed.KillAsync();

        // The same node again (its state directory, its ports), ClickHouse reachable: it replays its spool,
        // and both nodes count on.
        await using ServerProcess restarted = await StartNodeAsync(db, $"--FastIngest:StateDirectory={state.Path}",
            $"--FastIngest:Syslog:UdpPort={udpPort}", $"--FastIngest:Syslog:TcpPort={tcpPort}");
        await Eventually.UntilAsync(
            async () => (Records: await restarted.MetricAsync("fastingest_spool_records"), Replayed: await restarted.MetricAsync("fastingest_spool_records_replayed_total")),
            spool => spool.Records == 0 && spool.Replayed > 0, s_timeout, "the restarted node to replay its spool (records left, records replayed)");
        await sites.ServeAsync(perTenant: 10);

        Dictionary<string, TenantTotals> expected = await sites.FileLogTotalsAsync();
        await WaitForRequestsAsync(db, expected, sites, drops, restarted, steady);
        NodeShare after = await NodeShare.OfAsync(restarted);
        output.WriteLine($"after the restart: {after}, {await NodeShare.OfAsync(steady)}");
        Assert.True(after.Datagrams > 0, $"the restarted node must take traffic again: {after}");
        await StopAndAssertAsync(db, sites, expected, restarted, steady);
    }

    /// <summary>
    /// With the node's ClickHouse unreachable: waits until the nodes have read every request NGINX served,
    /// this node has counted all it read, and its sink has spooled every round its shards flushed (the
    /// count of spooled rounds stands still across two looks 2 s apart, nothing queued): nothing it took is
    /// left in its memory, so a SIGKILL loses nothing that a restart cannot replay.
    /// </summary>
    private static async Task<NodeShare> WaitUntilSpooledAsync(ServerProcess node, ServerProcess other, int served)
    {
        await Eventually.UntilAsync(
            async () => (await NodeShare.OfAsync(node), await NodeShare.OfAsync(other)),
            shares => shares.Item1.Datagrams + shares.Item2.Datagrams == served && shares.Item1.Lines == shares.Item1.Datagrams,
            s_timeout, $"both nodes to read the {served} datagrams and the node to count its share");
        double previous = -1;
        await Eventually.UntilAsync(
            async () =>
            {
                (double Rounds, double Before, double Queued) now = (
                    await node.MetricAsync("fastingest_spool_records_written_total"), previous, await node.MetricAsync("fastingest_clickhouse_queued_batches"));
                previous = now.Rounds;
                return now;
            },
            now => now.Rounds > 0 && now.Rounds == now.Before && now.Queued == 0,
            s_timeout, "every flushed round spooled (rounds now, rounds 2 s before, queued batches)", TimeSpan.FromSeconds(2));
        return await NodeShare.OfAsync(node);
    }
}
