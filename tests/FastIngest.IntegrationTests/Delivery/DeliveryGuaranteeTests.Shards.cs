using System.Net;
using System.Net.Sockets;
using System.Text;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Delivery;

/// <summary>
/// Exactly once per shard (issue 19): two private ClickHouse 18.16 servers as two shards, one FastIngest
/// server with <c>ClickHouse:Shards</c>, the five tenants of <see cref="Frames"/> over TCP syslog. Each
/// test reads each shard's local tables directly (<c>&lt;db&gt;_local</c>): the Distributed tables over
/// them are the cluster schema's. Shard 1's server is stopped and started again for an outage, or sits
/// behind a <see cref="ClickHouseProxy"/> where a test needs it unreachable at start or its answers lost.
/// </summary>
public sealed partial class DeliveryGuaranteeTests
{
    [Fact]
    public async Task EachShardHoldsExactlyItsOwnTenantsTraffic()
    {
        await using var shard1 = await OwnClickHouseAsync();
        string db = UniqueName.For("shards");
        var lines = new NginxLines(seed: 50);
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, ShardArgs(db, clickHouse.HttpPort, shard1.Server.HttpPort)))
        {
            await SendPacedAsync(server, lines, steps: 4, linesPerStep: 5_000, TimeSpan.FromMilliseconds(300));
            await WaitUntilShardsHoldAsync(server, db, lines, clickHouse, shard1.Server);
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(server.Output);
        }

        await AssertShardsAsync(db, lines, clickHouse, shard1.Server);
    }

    [Fact]
    public async Task AShardStoppedForThirtySecondsWhileTrafficFlowsSpoolsOnlyItsOwnRoundsAndReplaysThemOnce()
    {
        await using var shard1 = await OwnClickHouseAsync();
        string db = UniqueName.For("shardout");
        using var stateFolder = new TempFolder("shardout");
        var lines = new NginxLines(seed: 51);
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            [$"--FastIngest:StateDirectory={stateFolder.Path}", .. ShardArgs(db, clickHouse.HttpPort, shard1.Server.HttpPort)]);
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
        await client.GetStream().WriteAsync(Frames(lines, 5_000, 0));
        await WaitUntilShardsHoldAsync(server, db, lines, clickHouse, shard1.Server);

        // Shard 1's ClickHouse stopped for 30 s (issue 19) while traffic flows, a step every few seconds:
        // shard 0's tenants keep landing, each step within seconds, meanwhile.
        await shard1.Server.StopAsync();
        var outage = System.Diagnostics.Stopwatch.StartNew();
        int step = 0;
        while (outage.Elapsed < TimeSpan.FromSeconds(30))
        {
            step++;
            await client.GetStream().WriteAsync(Frames(lines, 5_000, step));
            long shard0Expected = Expected(lines, shard: 0).Values.Sum(t => t.Requests);
            await Eventually.UntilAsync(() => TrafficTotals.RequestsAsync(clickHouse, db + "_local"), n => n >= shard0Expected, TimeSpan.FromSeconds(30),
                $"shard 0 to hold its {shard0Expected} requests while shard 1 is stopped");
            await Task.Delay(TimeSpan.FromSeconds(4)); // traffic spread over the outage, not one burst at its start
        }

        await Eventually.UntilAsync(() => server.MetricAsync("fastingest_clickhouse_shard_spool_records{shard=\"1\"}"), n => n > 0, TimeSpan.FromSeconds(30),
            "shard 1's rounds in its spool");
        Assert.Equal(0, await server.MetricAsync("fastingest_clickhouse_shard_spool_records{shard=\"0\"}"));
        string spool = Path.Combine(stateFolder.Path, "spool");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(spool, "shard-1"), "segment-*.spool"));
        Assert.Empty(Directory.GetFiles(Path.Combine(spool, "shard-0"), "segment-*.spool"));
        Assert.Equal(Expected(lines, shard: 0).Values.Sum(t => t.Requests), await TrafficTotals.RequestsAsync(clickHouse, db + "_local"));
        output.WriteLine($"shard 1 stopped for {outage.Elapsed.TotalSeconds:F0} s, {step} steps of traffic meanwhile");

        // The same server again (its data, its port): the spooled rounds replay, once.
        await shard1.Server.StartAsync();
        await WaitUntilShardsHoldAsync(server, db, lines, clickHouse, shard1.Server);
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(server.Output);
        Assert.Equal(5_000L * (step + 1), lines.Expected.Values.Sum(t => t.Requests));
        await AssertShardsAsync(db, lines, clickHouse, shard1.Server);
    }

    [Fact]
    public async Task AfterKillNineWithOneShardsRoundsSpooledTheRestartReplaysThemOnce()
    {
        await using var shard1 = await OwnClickHouseAsync();
        await using var proxy = new ClickHouseProxy(shard1.Server.HttpPort);
        proxy.Close();
        string db = UniqueName.For("shardkill");
        using var stateFolder = new TempFolder("shardkill");
        string state = $"--FastIngest:StateDirectory={stateFolder.Path}";
        var lines = new NginxLines(seed: 52);
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, [state, .. ShardArgs(db, clickHouse.HttpPort, proxy.Port)]))
        {
            await SendPacedAsync(server, lines, steps: 4, linesPerStep: 5_000, TimeSpan.FromMilliseconds(300));
            await WaitUntilSpooledAsync(server, lines: 20_000);
            await TrafficTotals.WaitForRequestsAsync(clickHouse, db + "_local", Expected(lines, shard: 0).Values.Sum(t => t.Requests), TimeSpan.FromSeconds(30));
            await server.KillAsync();
        }

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(stateFolder.Path, "spool", "shard-1"), "segment-*.spool"));
        proxy.Open();
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, [state, .. ShardArgs(db, clickHouse.HttpPort, proxy.Port)]))
        {
            await WaitUntilShardsHoldAsync(server, db, lines, clickHouse, shard1.Server);
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(server.Output);
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(stateFolder.Path, "spool", "shard-1"), "segment-*.spool"));
        await AssertShardsAsync(db, lines, clickHouse, shard1.Server);
    }

    [Fact]
    public async Task InsertAnswersLostOnOneShardAreNotCountedTwice()
    {
        await using var shard1 = await OwnClickHouseAsync();
        await using var proxy = new ClickHouseProxy(shard1.Server.HttpPort, dropEveryInsertAnswer: 3);
        string db = UniqueName.For("sharddrop");
        var lines = new NginxLines(seed: 53);
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, ShardArgs(db, clickHouse.HttpPort, proxy.Port)))
        {
            using var client = new TcpClient { NoDelay = true };
            await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
            for (int step = 0; step < 8; step++)
            {
                // A flush round per step, so many inserts pass the proxy.
                await client.GetStream().WriteAsync(Frames(lines, 2_500, step));
                long sent = 2_500L * (step + 1);
                await Eventually.UntilAsync(() => server.MetricAsync("fastingest_lines_counted_total"), counted => counted >= sent, TimeSpan.FromSeconds(30),
                    $"the shards to count the {sent} lines sent so far");
            }

            await WaitUntilShardsHoldAsync(server, db, lines, clickHouse, shard1.Server);
            double duplicatesAvoided = await server.MetricAsync("fastingest_clickhouse_duplicates_avoided_total");
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
            output.WriteLine($"proxy: {proxy.Inserts} inserts, {proxy.Dropped} answers dropped; duplicates avoided: {duplicatesAvoided}");
            output.WriteLine(server.Output);
            Assert.True(proxy.Dropped >= 3, $"only {proxy.Dropped} answers were dropped");
            Assert.True(duplicatesAvoided >= proxy.Dropped, $"{duplicatesAvoided} duplicates avoided, {proxy.Dropped} answers dropped");
        }

        await AssertShardsAsync(db, lines, clickHouse, shard1.Server);
    }

    [Fact]
    public async Task RoundsSpooledForOneServerStopAStartWithShardsAndReplayOnceWithoutThem()
    {
        // A node whose single server was unreachable, then restarted with Shards: the single server's
        // spool is never replayed into shards' sinks, so that start must refuse and say so, not lose it.
        await using var proxy = new ClickHouseProxy(clickHouse.HttpPort);
        proxy.Close();
        string db = UniqueName.For("layout");
        using var stateFolder = new TempFolder("layout");
        string state = $"--FastIngest:StateDirectory={stateFolder.Path}";
        var lines = new NginxLines(seed: 54);
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, state, $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{proxy.Port}"))
        {
            await SendPacedAsync(server, lines, steps: 2, linesPerStep: 2_000, TimeSpan.FromMilliseconds(300));
            await WaitUntilSpooledAsync(server, lines: 4_000);
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        string spool = Path.Combine(stateFolder.Path, "spool");
        Assert.NotEmpty(Directory.GetFiles(spool, "segment-*.spool"));
        (int exit, string stderr) = await RunToExitAsync([state, .. ShardArgs(db, clickHouse.HttpPort, proxy.Port)]);
        Assert.Equal(78, exit);
        Assert.Contains($"spooled rounds this start with 2 shards would never replay: {spool} (the single server's", stderr, StringComparison.Ordinal);
        Assert.NotEmpty(Directory.GetFiles(spool, "segment-*.spool"));

        // Started as it was (one server), now reachable: the rounds replay, once.
        proxy.Open();
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, state, $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{proxy.Port}"))
        {
            await WaitUntilStoredAsync(clickHouse, db, server, 4_000, TimeSpan.FromSeconds(60));
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Empty(Directory.GetFiles(spool, "segment-*.spool"));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
    }

    /// <summary>The server with <paramref name="args"/> on free ports, run until it exits by itself (within 60 s): its exit code and stderr.</summary>
    private async Task<(int ExitCode, string Stderr)> RunToExitAsync(string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        foreach (string arg in new[]
        {
            ServerProcess.ServerDll(), "--FastIngest:Syslog:BindAddress=127.0.0.1", $"--FastIngest:Syslog:UdpPort={FreePorts.Udp()}", $"--FastIngest:Syslog:TcpPort={FreePorts.Tcp()}",
            "--FastIngest:Http:BindAddress=127.0.0.1", $"--FastIngest:Http:Port={FreePorts.Tcp()}", $"--FastIngest:Pixel:Port={FreePorts.Tcp()}",
        }.Concat(args))
        {
            psi.ArgumentList.Add(arg);
        }

        using System.Diagnostics.Process process = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the server started: " + await stdout + await stderr);
        }

        output.WriteLine($"exit {process.ExitCode}\n{await stdout}{await stderr}");
        return (process.ExitCode, await stderr);
    }

    /// <summary>A second ClickHouse 18.16 for shard 1, stopped and removed at the end of the test.</summary>
    private static async Task<OwnClickHouse> OwnClickHouseAsync()
    {
        var server = new PrivateClickHouse();
        await server.InitializeAsync();
        return new OwnClickHouse(server);
    }

    /// <summary>Two shards, one replica each: shard 0 the collection's ClickHouse, shard 1 at <paramref name="shard1Port"/>.</summary>
    private static string[] ShardArgs(string db, int shard0Port, int shard1Port) =>
    [
        $"--FastIngest:ClickHouse:Shards:0:Replicas:0=http://127.0.0.1:{shard0Port}",
        $"--FastIngest:ClickHouse:Shards:1:Replicas:0=http://127.0.0.1:{shard1Port}",
        $"--FastIngest:ClickHouse:LocalDatabase={db}_local",
        "--FastIngest:ClickHouse:MaxRetryDelay=00:00:00.500",
    ];

    /// <summary>What was sent of the tenants that <see cref="TenantShard"/> puts on <paramref name="shard"/> of two.</summary>
    private static Dictionary<string, TenantTotals> Expected(NginxLines lines, int shard) =>
        lines.Expected.Where(t => TenantShard.Of(Encoding.UTF8.GetBytes(t.Key), 2) == shard).ToDictionary(t => t.Key, t => t.Value);

    /// <summary>Waits until each shard's local tables hold at least what was sent for its tenants and every spool is empty.</summary>
    private static async Task WaitUntilShardsHoldAsync(ServerProcess server, string db, NginxLines lines, PrivateClickHouse shard0, PrivateClickHouse shard1)
    {
        long want0 = Expected(lines, 0).Values.Sum(t => t.Requests), want1 = Expected(lines, 1).Values.Sum(t => t.Requests);
        await Eventually.UntilAsync(
            async () => (Shard0: await TrafficTotals.RequestsAsync(shard0, db + "_local"), Shard1: await TrafficTotals.RequestsAsync(shard1, db + "_local"),
                Spooled: await server.MetricAsync("fastingest_spool_records")),
            held => held.Shard0 >= want0 && held.Shard1 >= want1 && held.Spooled == 0,
            TimeSpan.FromSeconds(90), $"shard 0 to hold {want0} requests, shard 1 {want1}, the spools empty (shard 0, shard 1, spool records)");
    }

    /// <summary>Every sum of every tenant exact, on its own shard, and on no other.</summary>
    private static async Task AssertShardsAsync(string db, NginxLines lines, PrivateClickHouse shard0, PrivateClickHouse shard1)
    {
        Assert.NotEmpty(Expected(lines, 0));
        Assert.NotEmpty(Expected(lines, 1));
        await TrafficTotals.AssertAsync(shard0, db + "_local", Expected(lines, 0));
        await TrafficTotals.AssertAsync(shard1, db + "_local", Expected(lines, 1));
    }

    private sealed class OwnClickHouse(PrivateClickHouse server) : IAsyncDisposable
    {
        public PrivateClickHouse Server { get; } = server;

        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }
}
