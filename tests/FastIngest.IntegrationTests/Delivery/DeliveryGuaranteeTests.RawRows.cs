using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Delivery;

/// <summary><c>requests_raw</c> under the faults the counters survive: its rows land exactly once too.</summary>
public sealed partial class DeliveryGuaranteeTests
{
    [Fact]
    public async Task RawRowsOfASpooledOutageReplayedThroughLostAnswersLandExactlyOnce()
    {
        string db = UniqueName.For("rawspool");
        using var stateFolder = new TempFolder("rawspool");
        string state = stateFolder.Path;
        var lines = new NginxLines(seed: 162);
        // t1 and t3 of Frames' five tenants keep raw rows. A visitor secret shared by both processes, as
        // across a restart in production: otherwise each process hashes the same visitor differently.
        string[] rawRows = ["--FastIngest:RawRows:Tenants:0=t1", "--FastIngest:RawRows:Tenants:1=t3", "--FastIngest:Aggregation:VisitorSecret=rawspool-test-secret"];

        // ClickHouse unreachable: every round, raw rows with it, goes to the spool.
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            [$"--FastIngest:StateDirectory={state}", $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{FreePorts.Tcp()}", .. rawRows]))
        {
            await SendPacedAsync(server, lines, steps: 4, linesPerStep: 2_500, TimeSpan.FromMilliseconds(500));
            await WaitUntilSpooledAsync(server, lines: 10_000);
            await server.KillAsync();
        }

        // The next start replays the spool while new lines arrive, through a proxy that loses every third
        // insert answer: a retry must find its insert in the ledger rather than write the rows again.
        await using var proxy = new ClickHouseProxy(clickHouse.HttpPort, dropEveryInsertAnswer: 3);
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            [$"--FastIngest:StateDirectory={state}", $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{proxy.Port}", .. rawRows]))
        {
            await SendPacedAsync(server, lines, steps: 4, linesPerStep: 2_500, TimeSpan.FromMilliseconds(500));
            await WaitUntilStoredAsync(clickHouse, db, server, 20_000, TimeSpan.FromSeconds(90));
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
            output.WriteLine(server.Output);
        }

        // A stop whose last insert lost its answer spools that round ("Stopped with 1 rounds in the spool"):
        // its first tables may be in ClickHouse, the rest (agents_1d, requests_raw: the last of a round) not
        // yet. The next start replays it, skipping through the ledger what is in already: one more start does.
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, [$"--FastIngest:StateDirectory={state}", .. rawRows]))
        {
            await WaitUntilSpoolEmptyAsync(server);
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        }

        output.WriteLine($"proxy: {proxy.Inserts} inserts, {proxy.Dropped} answers dropped");
        output.WriteLine(await clickHouse.QueryAsync($"SELECT tenant, count() FROM {db}.requests_raw GROUP BY tenant ORDER BY tenant FORMAT TSV"));
        Assert.True(proxy.Dropped >= 1, "an insert answer must have been lost");
        Assert.Equal(20_000, lines.Expected.Values.Sum(t => t.Requests));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        foreach (string tenant in new[] { "t1", "t3" })
        {
            await RawRowTotals.AssertAsync(clickHouse, db, tenant, lines.Expected[tenant]);
        }

        Assert.Equal(lines.Expected["t1"].Requests + lines.Expected["t3"].Requests, await RawRowTotals.RowsAsync(clickHouse, db));
        await RawRowTotals.AssertLedgerAsync(clickHouse, db);
    }
}
