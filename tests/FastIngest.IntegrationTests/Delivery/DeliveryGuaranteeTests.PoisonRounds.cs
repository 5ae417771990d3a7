using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Delivery;

// A round ClickHouse refuses for good (issue 13, item 4): before, it was retried forever and every round
// behind it waited in the spool; now it is quarantined after a few tries and `spool retry` sends it once.
public sealed partial class DeliveryGuaranteeTests
{
    private const int PoisonPixelHits = 40;

    [Fact]
    public async Task ARoundRefusedForGoodIsQuarantinedTheRoundsBehindItGoOnAndSpoolRetrySendsItExactlyOnce()
    {
        string db = UniqueName.For("poison");
        using var state = new TempFolder("poison-state");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:StateDirectory={state.Path}", "--FastIngest:ClickHouse:MaxRetryDelay=00:00:00.200");
        string quarantine = Path.Combine(state.Path, "spool", "quarantine");

        // A schema changed by hand: the pixel's write door loses a column its inserts name (Code 16).
        await clickHouse.ExecuteAsync($"ALTER TABLE {db}.pixel_1m_in DROP COLUMN hits");
        await SendPixelHitsAsync(server, PoisonPixelHits);

        // Every round with the hits is set aside (each after its tries), with a note saying why.
        await Eventually.UntilAsync(() => QuarantinedPixelHits(quarantine), hits => hits >= PoisonPixelHits, TimeSpan.FromSeconds(60),
            "the rounds with the pixel hits to be quarantined", TimeSpan.FromMilliseconds(200));
        Assert.Equal(PoisonPixelHits, QuarantinedPixelHits(quarantine));
        string note = File.ReadAllText(Directory.GetFiles(quarantine, "*.json")[0]);
        output.WriteLine(note);
        Assert.Contains("\"code\": 16", note, StringComparison.Ordinal);
        Assert.Contains("\"table\": \"pixel_1m\"", note, StringComparison.Ordinal);
        Assert.Contains("\"attempts\": 3", note, StringComparison.Ordinal);
        ServerHealth health = await server.HealthAsync();
        output.WriteLine(health.ToString());
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("degraded", health.Body.GetProperty("status").GetString());
        JsonElement shown = health.Body.GetProperty("spool").GetProperty("quarantine");
        Assert.True(shown.GetProperty("rounds").GetInt32() >= 1);
        Assert.Contains("Code 16 (NO_SUCH_COLUMN_IN_TABLE)", shown.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.True(await server.MetricAsync("fastingest_rounds_quarantined_total") >= 1);
        Assert.Equal(Directory.GetFiles(quarantine, "*.round").Length, await server.MetricAsync("fastingest_quarantined_rounds"));
        await Eventually.TrueAsync(() => server.Output.Contains("refused a round for good", StringComparison.Ordinal), TimeSpan.FromSeconds(10),
            "the log to say \"refused a round for good\"");

        // The rounds behind it go on: syslog lines of another tenant, no pixel among them, all counted.
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var frames = new MemoryStream();
        for (int i = 0; i < 500; i++)
        {
            string line = new NginxLineBuilder().Msec(now - i).Set("status", 200).Set("bytes_sent", 100).Set("uri", "/article/" + (i % 7)).ToJson();
            frames.Write(SyslogFrames.OctetCounted(NginxLineBuilder.SyslogDatagram("blog", line, withHostname: false)));
        }

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, server.TcpPort);
            await client.GetStream().WriteAsync(frames.ToArray());
        }

        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, 500, TimeSpan.FromSeconds(60), "blog");
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.pixel_1m FORMAT TSV")).Trim());

        // The cause fixed, `spool retry` (beside the running server) sends the hits, once.
        await clickHouse.ExecuteAsync($"ALTER TABLE {db}.pixel_1m_in ADD COLUMN hits UInt64 AFTER minute");
        string[] kept = [.. Directory.GetFiles(quarantine, "*.round"), .. Directory.GetFiles(quarantine, "*.json")];
        Dictionary<string, byte[]> copies = kept.ToDictionary(path => path, File.ReadAllBytes);
        (int exit, string printed) = await SpoolRetryAsync(db, state.Path);
        Assert.True(exit == 0, printed);
        Assert.Contains("ok ", printed, StringComparison.Ordinal);
        Assert.Equal(PoisonPixelHits.ToString(System.Globalization.CultureInfo.InvariantCulture), await PixelHitsAsync(db));
        Assert.Empty(Directory.GetFiles(quarantine, "*.round"));
        await Eventually.UntilAsync(async () => (await server.HealthAsync()).Body.GetProperty("status").GetString(), s => s == "healthy",
            TimeSpan.FromSeconds(30), "/health to be healthy once the quarantine is empty");
        Assert.Equal(0, await server.MetricAsync("fastingest_quarantined_rounds"));

        // Again: nothing left to send. And a round put back as if a retry had crashed before removing it:
        // the insert ledger knows its inserts, so it is removed without counting a hit twice.
        (exit, printed) = await SpoolRetryAsync(db, state.Path);
        Assert.True(exit == 0, printed);
        Assert.Contains("no quarantined rounds", printed, StringComparison.Ordinal);
        foreach ((string path, byte[] bytes) in copies)
        {
            File.WriteAllBytes(path, bytes);
        }

        (exit, printed) = await SpoolRetryAsync(db, state.Path);
        Assert.True(exit == 0, printed);
        Assert.Contains("ok ", printed, StringComparison.Ordinal);
        Assert.Equal(PoisonPixelHits.ToString(System.Globalization.CultureInfo.InvariantCulture), await PixelHitsAsync(db));
        Assert.Equal(500, await TrafficTotals.RequestsAsync(clickHouse, db, "blog"));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task SpoolRetrySaysWhichRoundsClickHouseStillRefusesAndKeepsThem()
    {
        string db = UniqueName.For("poison2");
        using var state = new TempFolder("poison2-state");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:StateDirectory={state.Path}", "--FastIngest:ClickHouse:MaxRetryDelay=00:00:00.200", "--FastIngest:ClickHouse:PoisonRetries=1");
        string quarantine = Path.Combine(state.Path, "spool", "quarantine");
        await clickHouse.ExecuteAsync($"ALTER TABLE {db}.pixel_1m_in DROP COLUMN hits");
        await SendPixelHitsAsync(server, 1);

        await Eventually.UntilAsync(() => QuarantinedPixelHits(quarantine), hits => hits >= 1, TimeSpan.FromSeconds(60),
            "the round with the hit to be quarantined", TimeSpan.FromMilliseconds(200));

        // Not fixed yet: the round is still refused, says so, and stays.
        (int exit, string printed) = await SpoolRetryAsync(db, state.Path);
        Assert.NotEqual(0, exit);
        Assert.Contains("still refused", printed, StringComparison.Ordinal);
        Assert.Contains("Code 16", printed, StringComparison.Ordinal);
        Assert.Equal(1, QuarantinedPixelHits(quarantine));
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.pixel_1m FORMAT TSV")).Trim());
    }

    private static long QuarantinedPixelHits(string quarantine)
    {
        if (!Directory.Exists(quarantine))
        {
            return 0;
        }

        long hits = 0;
        foreach (string round in Directory.GetFiles(quarantine, "*.round"))
        {
            using JsonDocument note = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(round, ".json")));
            hits += note.RootElement.GetProperty("pixel_hits").GetInt64();
        }

        return hits;
    }

    private async Task<string> PixelHitsAsync(string db) =>
        (await clickHouse.QueryAsync($"SELECT sum(hits) FROM {db}.pixel_1m WHERE tenant = 'acme' FORMAT TSV")).Trim();

    /// <summary>
    /// Issue 19: with <c>Shards</c>, a shard quarantines in its own spool folder, and <c>spool retry</c> (given
    /// the same settings as the server) sends each shard's rounds to that shard's local tables, once.
    /// </summary>
    [Fact]
    public async Task WithShardsAShardsQuarantinedRoundIsSentBySpoolRetryToItsShardExactlyOnce()
    {
        string db = UniqueName.For("poison_shard");
        string local = db + "_local";
        using var state = new TempFolder("poison-shard-state");
        string[] shard = [$"--FastIngest:ClickHouse:Shards:0:Replicas:0={clickHouse.HttpUri}", $"--FastIngest:ClickHouse:LocalDatabase={local}"];
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            [$"--FastIngest:StateDirectory={state.Path}", "--FastIngest:ClickHouse:MaxRetryDelay=00:00:00.200", .. shard]);
        string quarantine = Path.Combine(state.Path, "spool", "shard-0", "quarantine");

        await clickHouse.ExecuteAsync($"ALTER TABLE {local}.pixel_1m_in DROP COLUMN hits");
        await SendPixelHitsAsync(server, PoisonPixelHits);
        await Eventually.UntilAsync(() => QuarantinedPixelHits(quarantine), hits => hits >= PoisonPixelHits, TimeSpan.FromSeconds(60),
            "the shard's rounds with the pixel hits to be quarantined in its own folder", TimeSpan.FromMilliseconds(200));

        await clickHouse.ExecuteAsync($"ALTER TABLE {local}.pixel_1m_in ADD COLUMN hits UInt64 AFTER minute");
        (int exit, string printed) = await SpoolRetryAsync(db, state.Path, shard);
        Assert.True(exit == 0, printed);
        Assert.Contains("shard 0:", printed, StringComparison.Ordinal);
        Assert.Contains("ok ", printed, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(quarantine, "*.round"));
        Assert.Equal(PoisonPixelHits.ToString(System.Globalization.CultureInfo.InvariantCulture), await PixelHitsAsync(local));

        // Once only: a second retry finds nothing, and the hits stay as they are.
        (exit, printed) = await SpoolRetryAsync(db, state.Path, shard);
        Assert.True(exit == 0, printed);
        Assert.Contains("no quarantined rounds", printed, StringComparison.Ordinal);
        Assert.Equal(PoisonPixelHits.ToString(System.Globalization.CultureInfo.InvariantCulture), await PixelHitsAsync(local));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    private async Task<(int Exit, string Output)> SpoolRetryAsync(string db, string stateDirectory, params string[] extra)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        string[] args =
        [
            ServerProcess.ServerDll(), "spool", "retry", $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{clickHouse.HttpPort}",
            $"--FastIngest:ClickHouse:Database={db}", $"--FastIngest:StateDirectory={stateDirectory}", .. extra,
        ];
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using Process retry = Process.Start(psi) ?? throw new InvalidOperationException("spool retry did not start");
        Task<string> stderr = retry.StandardError.ReadToEndAsync();
        string stdout = await retry.StandardOutput.ReadToEndAsync();
        await retry.WaitForExitAsync();
        string printed = stdout + await stderr;
        output.WriteLine($"spool retry exited {retry.ExitCode}:\n{printed}");
        return (retry.ExitCode, printed);
    }

    /// <summary>Pixel hits of tenant acme, page home, each answered 200 (refusing is the shard's business).</summary>
    private static async Task SendPixelHitsAsync(ServerProcess server, int hits)
    {
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        for (int i = 0; i < hits; i++)
        {
            using HttpResponseMessage hit = await http.GetAsync(new Uri("/p/acme/home.gif", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
        }
    }
}
