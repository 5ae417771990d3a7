using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Delivery;

/// <summary>
/// README's "Delivery guarantees", each proven by injecting its fault into real processes: ClickHouse
/// stopped under load, insert answers lost after ClickHouse took the rows, a kill -9 with a spool and a
/// torn record in it. Lines go over TCP syslog, which loses nothing itself, so every difference in the
/// totals would be FastIngest's.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed partial class DeliveryGuaranteeTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task AThirtySecondClickHouseOutageDuring200000LinesLosesAndDoublesNothing()
    {
        // A ClickHouse of its own: the collection's shared one must stay up for the other tests.
        var ownClickHouse = new PrivateClickHouse();
        await ownClickHouse.InitializeAsync();
        try
        {
            string db = UniqueName.For("outage");
            await using ServerProcess server = await ServerProcess.StartAsync(ownClickHouse, db);
            var lines = new NginxLines(seed: 30);
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
            NetworkStream stream = client.GetStream();

            // 200,000 lines in 40 one-second steps; ClickHouse is down from step 3 to step 33. The steps are
            // paced, not synchronised: the outage is thirty seconds of traffic, a timeline rather than a
            // condition (stopping and starting ClickHouse take most of the second of steps 3 and 33).
            for (int step = 0; step < 40; step++)
            {
                await stream.WriteAsync(Frames(lines, 5_000, step));
                if (step == 3)
                {
                    await ownClickHouse.StopAsync();
                }
                else if (step == 33)
                {
                    Assert.True(await server.MetricAsync("fastingest_spool_records_written_total") > 0, "the outage must have spooled");
                    await ownClickHouse.StartAsync();
                }

                await Task.Delay(1000 - (step == 3 || step == 33 ? 900 : 0));
            }

            await WaitUntilStoredAsync(ownClickHouse, db, server, 200_000, TimeSpan.FromSeconds(90));
            Assert.Equal(0, await server.MetricAsync("fastingest_spool_dropped_rounds_total"));
            // Anything counted twice would arrive after the last line: stop the server first, so that all
            // it will ever write is in ClickHouse.
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(server.Output);
            Assert.Equal(200_000, lines.Expected.Values.Sum(t => t.Requests));
            await TrafficTotals.AssertAsync(ownClickHouse, db, lines.Expected);
        }
        finally
        {
            await ownClickHouse.DisposeAsync();
        }
    }

    [Fact]
    public async Task InsertAnswersLostAfterClickHouseTookTheRowsAreNotCountedTwice()
    {
        string db = UniqueName.For("dropans");
        using var stateFolder = new TempFolder("dropans");
        await using var proxy = new ClickHouseProxy(clickHouse.HttpPort, dropEveryInsertAnswer: 3);
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:StateDirectory={stateFolder.Path}", $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{proxy.Port}");
        var lines = new NginxLines(seed: 31);
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
        for (int step = 0; step < 12; step++)
        {
            // Each step lands in a flush round of its own (the shards publish their counts at each flush),
            // so many inserts pass the proxy.
            await client.GetStream().WriteAsync(Frames(lines, 2_500, step));
            long sent = 2_500L * (step + 1);
            await Eventually.UntilAsync(() => server.MetricAsync("fastingest_lines_counted_total"), counted => counted >= sent, TimeSpan.FromSeconds(30),
                $"the shards to count the {sent} lines sent so far");
        }

        await WaitUntilStoredAsync(clickHouse, db, server, 30_000, TimeSpan.FromSeconds(60));
        double duplicatesAvoided = await server.MetricAsync("fastingest_clickhouse_duplicates_avoided_total");
        // Anything counted twice would arrive after the last line: stop the server first, so that all it
        // will ever write is in ClickHouse.
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        // A stop whose last insert lost its answer spools that round, some of its tables in ClickHouse
        // already (agents_1d, the last of a round, not yet): the next start replays it, once.
        await using (ServerProcess next = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:StateDirectory={stateFolder.Path}"))
        {
            await WaitUntilSpoolEmptyAsync(next);
            Assert.Equal(0, await next.TerminateAsync(TimeSpan.FromSeconds(60)));
        }

        output.WriteLine($"proxy: {proxy.Inserts} inserts, {proxy.Dropped} answers dropped; duplicates avoided: {duplicatesAvoided}");
        output.WriteLine(await TrafficTotals.RequestsPerTenantAsync(clickHouse, db));
        output.WriteLine(await clickHouse.QueryAsync($"SELECT tenant, path, sumMerge(requests) FROM {db}.paths_1h GROUP BY tenant, path ORDER BY tenant, path FORMAT TSV"));
        output.WriteLine(await clickHouse.QueryAsync($"SELECT target, count(), sum(rows) FROM {db}.insert_ledger GROUP BY target ORDER BY target FORMAT TSV"));
        output.WriteLine(server.Output);
        Assert.True(proxy.Dropped >= 3, $"only {proxy.Dropped} answers were dropped");
        Assert.True(duplicatesAvoided >= proxy.Dropped, $"{duplicatesAvoided} duplicates avoided, {proxy.Dropped} answers dropped");
        Assert.Equal(30_000, lines.Expected.Values.Sum(t => t.Requests));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        await ReferrerTotals.AssertAsync(clickHouse, db, lines.Expected);
    }

    [Fact]
    public async Task AfterKillNineTheNextStartReplaysTheSpoolAndSkipsATornRecord()
    {
        string db = UniqueName.For("kill9");
        using var stateFolder = new TempFolder("kill9");
        string state = stateFolder.Path;
        var lines = new NginxLines(seed: 32);
        // ClickHouse unreachable (nothing listens there): every flush goes to the spool.
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:StateDirectory={state}", $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{FreePorts.Tcp()}"))
        {
            // Over a few flush rounds, as traffic would come.
            await SendPacedAsync(server, lines, steps: 4, linesPerStep: 5_000, TimeSpan.FromMilliseconds(500));
            await WaitUntilSpooledAsync(server, lines: 20_000);
            await server.KillAsync();
        }

        // A write torn by the crash: the head of a record with its body missing, at the end of a segment.
        string segment = Directory.GetFiles(Path.Combine(state, "spool"), "segment-*.spool").Order(StringComparer.Ordinal).Last();
        byte[] head = File.ReadAllBytes(segment)[..40];
        await using (var file = new FileStream(segment, FileMode.Append))
        {
            await file.WriteAsync(head);
        }

        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:StateDirectory={state}"))
        {
            await WaitUntilStoredAsync(clickHouse, db, server, 20_000, TimeSpan.FromSeconds(60));
            Assert.Equal(1, await server.MetricAsync("fastingest_spool_torn_records_total"));
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(server.Output);
            Assert.Contains("torn or damaged", server.Output, StringComparison.Ordinal);
        }

        Assert.Equal(20_000, lines.Expected.Values.Sum(t => t.Requests));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        await ReferrerTotals.AssertAsync(clickHouse, db, lines.Expected);
        Assert.Empty(Directory.GetFiles(Path.Combine(state, "spool"), "segment-*.spool"));
    }

    [Fact]
    public async Task AFullSpoolDropsLoudlyAndCountsWhatItDroppedPerTenantExactly()
    {
        string db = UniqueName.For("spoolfull");
        using var stateFolder = new TempFolder("spoolfull");
        string state = stateFolder.Path;
        var lines = new NginxLines(seed: 33);
        var dropped = new Dictionary<string, long>();
        // ClickHouse unreachable and a 1 MiB spool: the random visitor hashes of 144,000 lines don't fit.
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:StateDirectory={state}",
            "--FastIngest:Spool:MaxBytes=1048576", $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{FreePorts.Tcp()}"))
        {
            // Over some seven seconds: the rounds fill the spool one by one and the later ones find it full.
            await SendPacedAsync(server, lines, steps: 24, linesPerStep: 6_000, TimeSpan.FromMilliseconds(300));
            await WaitUntilSpooledAsync(server, lines: 144_000);

            output.WriteLine($"spool: {await server.MetricAsync("fastingest_spool_bytes")} bytes in {await server.MetricAsync("fastingest_spool_records")} records");
            Assert.Equal(1, await server.MetricAsync("fastingest_spool_full"));
            ServerHealth health = await server.HealthAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Status);
            Assert.Contains("spool is full", health.Body.GetRawText(), StringComparison.Ordinal);

            foreach (string tenant in lines.Expected.Keys)
            {
                dropped[tenant] = (long)await server.MetricAsync($"fastingest_spool_dropped_total{{tenant=\"{tenant}\"}}");
            }

            Assert.True(dropped.Values.Sum() > 0, "something must have been dropped");
            Assert.Contains("DROPPING", server.Output, StringComparison.Ordinal);
            await server.KillAsync();
        }

        // What fitted in the spool reaches ClickHouse at the next start; with what was dropped, every line is accounted for.
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:StateDirectory={state}"))
        {
            await WaitUntilSpoolEmptyAsync(server);
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        foreach ((string tenant, TenantTotals expected) in lines.Expected)
        {
            long counted = await TrafficTotals.RequestsAsync(clickHouse, db, tenant);
            Assert.Equal($"{tenant} {expected.Requests}", $"{tenant} {counted + dropped[tenant]}");
        }
    }

    [Fact]
    public async Task SigtermUnderFullLoadWithLostAnswersCountsEveryReceivedLineExactlyOnce()
    {
        string db = UniqueName.For("busystop");
        using var stateFolder = new TempFolder("busystop");
        string state = stateFolder.Path;
        await using var proxy = new ClickHouseProxy(clickHouse.HttpPort, dropEveryInsertAnswer: 4);
        long counted;
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:StateDirectory={state}", $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{proxy.Port}"))
        {
            // Four peers send flat out until the server goes away.
            using var stop = new CancellationTokenSource();
            Task[] peers = [.. Enumerable.Range(0, 4).Select(peer => Task.Run(async () =>
            {
                byte[] frames = Frames(new NginxLines(seed: 40 + peer), 500, peer);
                using var client = new TcpClient { NoDelay = true };
                await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        await client.GetStream().WriteAsync(frames, stop.Token);
                    }
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
                {
                }
            }))];

            // The server must be busy when stopped, and already losing insert answers.
            await Eventually.UntilAsync(
                async () => (Counted: await server.MetricAsync("fastingest_lines_counted_total"), proxy.Dropped),
                busy => busy.Counted > 10_000 && busy.Dropped > 0, TimeSpan.FromSeconds(30),
                "over 10,000 lines counted and an insert answer dropped (lines counted, answers dropped)");
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
            await stop.CancelAsync();
            await Task.WhenAll(peers);
            output.WriteLine(server.Output);
            var stopped = System.Text.RegularExpressions.Regex.Match(server.Output, @"FastIngest stopped; (\d+) lines");
            Assert.True(stopped.Success, "the stop must report what it counted");
            counted = long.Parse(stopped.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        // Whatever the stop left in the spool comes out at the next start, once.
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:StateDirectory={state}"))
        {
            await WaitUntilSpoolEmptyAsync(server);
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        output.WriteLine($"counted {counted}; proxy dropped {proxy.Dropped} of {proxy.Inserts} insert answers");
        Assert.Equal(counted, await TrafficTotals.RequestsAsync(clickHouse, db));
    }

    /// <summary>
    /// Sends <paramref name="steps"/> steps of <paramref name="linesPerStep"/> lines over one TCP connection,
    /// <paramref name="pause"/> apart. Pacing, not synchronisation: the steps shape the traffic, and the
    /// caller waits for its condition afterwards.
    /// </summary>
    private static async Task SendPacedAsync(ServerProcess server, NginxLines lines, int steps, int linesPerStep, TimeSpan pause)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
        for (int step = 0; step < steps; step++)
        {
            await client.GetStream().WriteAsync(Frames(lines, linesPerStep, step));
            await Task.Delay(pause);
        }
    }

    /// <summary><paramref name="count"/> octet-counted syslog frames of NGINX lines, five tenants t0 to t4.</summary>
    private static byte[] Frames(NginxLines lines, int count, int step) => lines.OctetCountedFrames(count, step, "t");

    /// <summary>
    /// Waits until ClickHouse holds at least <paramref name="lines"/> requests and every round is in ClickHouse:
    /// nothing queued or being written, nothing in the spool. Requests alone are not enough: traffic_1m is the
    /// first table of a round, and a later table's insert may still be failing (a lost answer) and about to
    /// spool the round, which a stop would then leave for the next start.
    /// </summary>
    private static async Task WaitUntilStoredAsync(PrivateClickHouse clickHouse, string db, ServerProcess server, long lines, TimeSpan timeout) =>
        await Eventually.UntilAsync(
            async () => (
                Requests: await TrafficTotals.RequestsAsync(clickHouse, db),
                Unwritten: await server.MetricAsync("fastingest_clickhouse_queued_batches"),
                SpoolRecords: await server.MetricAsync("fastingest_spool_records")),
            stored => stored.Requests >= lines && stored.Unwritten == 0 && stored.SpoolRecords == 0,
            timeout, $"{lines} requests in ClickHouse, no batch queued or being written, the spool empty (requests, batches, spool records)");

    /// <summary>Waits until a restarted server has replayed its whole spool.</summary>
    private static async Task WaitUntilSpoolEmptyAsync(ServerProcess server) =>
        await Eventually.UntilAsync(() => server.MetricAsync("fastingest_spool_records"), records => records == 0, TimeSpan.FromSeconds(60), "the spool replayed (spool records)");

    /// <summary>
    /// With ClickHouse unreachable: waits until the shards have counted <paramref name="lines"/> and the sink
    /// has spooled (or, spool full, dropped) every round they flushed, i.e. nothing is left in memory.
    /// </summary>
    private static async Task WaitUntilSpooledAsync(ServerProcess server, long lines)
    {
        double counted = await Eventually.UntilAsync(() => server.MetricAsync("fastingest_lines_counted_total"), n => n >= lines, TimeSpan.FromSeconds(30),
            $"the shards to count {lines} lines");
        Assert.Equal(lines, counted);

        // Counted lines reach the sink within a flush interval or two: wait for the round count to stand
        // still across two looks 2 s apart, with nothing queued.
        double previous = -1;
        await Eventually.UntilAsync(
            async () =>
            {
                (double Rounds, double Before, double Queued) now = (
                    await server.MetricAsync("fastingest_spool_records_written_total") + await server.MetricAsync("fastingest_spool_dropped_rounds_total"),
                    previous,
                    await server.MetricAsync("fastingest_clickhouse_queued_batches"));
                previous = now.Rounds;
                return now;
            },
            now => now.Rounds > 0 && now.Rounds == now.Before && now.Queued == 0,
            TimeSpan.FromSeconds(30), "every flushed round spooled or dropped (rounds now, rounds 2 s before, queued batches)", TimeSpan.FromSeconds(2));
    }
}
