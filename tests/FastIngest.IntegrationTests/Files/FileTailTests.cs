using System.Text;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Files;

/// <summary>
/// A live combined log, rotated by rename and by copytruncate while FastIngest runs and while it is
/// stopped, with restarts in between: every line counted exactly once.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class FileTailTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private int _written;

    private void Append(string path, int lines)
    {
        var text = new StringBuilder();
        for (int i = 0; i < lines; i++)
        {
            int n = _written++;
            text.Append(NginxLineBuilder.Combined($"10.1.{n / 256 % 256}.{n % 256}", DateTimeOffset.UtcNow, $"GET /f/{n % 13}.bin HTTP/1.1", 200, n, "", "tail-test")).Append('\n');
        }

        File.AppendAllText(path, text.ToString());
    }

    /// <summary>Waits until ClickHouse counts exactly <paramref name="expected"/> requests of the tenant files.</summary>
    private Task WaitCountedAsync(string db, long expected) => TrafficTotals.WaitForRequestsAsync(clickHouse, db, expected, TimeSpan.FromSeconds(20), "files");

    private Task<ServerProcess> StartAsync(string db, string folder, string log = "access.log", string format = "combined") => ServerProcess.StartAsync(clickHouse, db,
        $"--FastIngest:Files:Sources:0:Path={Path.Combine(folder, log)}", $"--FastIngest:Files:Sources:0:Format={format}",
        "--FastIngest:Files:Sources:0:Tenant=files", $"--FastIngest:StateDirectory={Path.Combine(folder, "state-" + log)}",
        "--FastIngest:Files:RotationGrace=00:00:00.300");

    [Fact]
    public async Task ALiveLogRotatedByRenameAndCopytruncateAcrossRestartsIsCountedExactlyOnce()
    {
        string db = UniqueName.For("tail");
        using var temp = new TempFolder("tail");
        string folder = temp.Path;
        string log = Path.Combine(folder, "access.log");
        string Rotated(int n) => $"{log}.{n}";
        Append(log, 1_000); // history before the first start is read too
        await using (ServerProcess server = await StartAsync(db, folder))
        {
            await WaitCountedAsync(db, 1_000);
            Append(log, 1_000);
            await WaitCountedAsync(db, 2_000);

            // Rename rotation while running; the old file still gets lines until "NGINX" reopens.
            File.Move(log, Rotated(1));
            Append(Rotated(1), 100);
            Append(log, 500);
            await WaitCountedAsync(db, 2_600);
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(server.Output);
        }

        // Stopped: more lines, then a second rename rotation and a new file.
        Append(log, 300);
        File.Move(Rotated(1), Rotated(2));
        File.Move(log, Rotated(1));
        Append(log, 200);
        await using (ServerProcess server = await StartAsync(db, folder))
        {
            await WaitCountedAsync(db, 3_100);
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(server.Output);
        }

        // Stopped: more lines, then copytruncate (logrotate shifts the old copies first).
        Append(log, 100);
        File.Move(Rotated(2), Rotated(3));
        File.Move(Rotated(1), Rotated(2));
        File.Copy(log, Rotated(1));
        new FileStream(log, FileMode.Truncate).Dispose();
        Append(log, 50);
        await using (ServerProcess server = await StartAsync(db, folder))
        {
            await WaitCountedAsync(db, 3_250);

            // Copytruncate while running.
            Append(log, 70);
            await WaitCountedAsync(db, 3_320);
            Append(log, 30);
            File.Delete(Rotated(3));
            File.Move(Rotated(2), Rotated(3));
            File.Move(Rotated(1), Rotated(2));
            File.Copy(log, Rotated(1));
            new FileStream(log, FileMode.Truncate).Dispose();
            Append(log, 20);
            await WaitCountedAsync(db, 3_370);
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(server.Output);
        }

        Assert.Equal(_written, await TrafficTotals.RequestsAsync(clickHouse, db, "files"));
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task ALogWrittenByRealNginxRotatedTwiceByRenameAndOnceByCopytruncateIsCountedLineForLine()
    {
        string db = UniqueName.For("tailnginx");
        await using NginxProcess nginx = await NginxProcess.StartAsync(FreePorts.Udp());
        string log = Path.Combine(nginx.Prefix, "access.shop.log");
        string Rotated(int n) => $"{log}.{n}";
        using var http = new HttpClient();
        long Logged() => Directory.GetFiles(nginx.Prefix, "access.shop.log*").Sum(f => File.ReadAllLines(f).Length);
        long requested = 0;
        async Task RequestsAsync(int count)
        {
            for (int i = 0; i < count; i++)
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{nginx.ShopPort}/p/acme/k{i % 5}.gif"));
            }

            // NGINX logs after responding: rotate only once its last line is in the file, as logrotate would find it.
            requested += count;
            await Eventually.UntilAsync(Logged, logged => logged >= requested, TimeSpan.FromSeconds(10), $"NGINX to log {requested} requests to access.shop.log*");
        }

        await RequestsAsync(100);
        await using (ServerProcess server = await StartAsync(db, nginx.Prefix, "access.shop.log", "json"))
        {
            await WaitCountedAsync(db, Logged());
            File.Move(log, Rotated(1)); // rotation 1, by rename, while running
            await nginx.ReopenLogsAsync();
            await RequestsAsync(50);
            await WaitCountedAsync(db, Logged());
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        await RequestsAsync(50);
        File.Move(Rotated(1), Rotated(2)); // rotation 2, by rename, while stopped
        File.Move(log, Rotated(1));
        await nginx.ReopenLogsAsync();
        await RequestsAsync(50);
        await using (ServerProcess server = await StartAsync(db, nginx.Prefix, "access.shop.log", "json"))
        {
            await WaitCountedAsync(db, Logged());
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        await RequestsAsync(30);
        File.Move(Rotated(2), Rotated(3)); // rotation 3, copytruncate, while stopped
        File.Move(Rotated(1), Rotated(2));
        File.Copy(log, Rotated(1));
        new FileStream(log, FileMode.Truncate).Dispose();
        await RequestsAsync(20);
        await using (ServerProcess server = await StartAsync(db, nginx.Prefix, "access.shop.log", "json"))
        {
            await WaitCountedAsync(db, Logged());
            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine(server.Output);
        }

        Assert.Equal(300, Logged());
        Assert.Equal(300, await TrafficTotals.RequestsAsync(clickHouse, db, "files"));
        Assert.Equal("k0\t60\nk1\t60\nk2\t60\nk3\t60\nk4\t60", (await clickHouse.QueryAsync(
            $"SELECT key, sum(hits) FROM {db}.pixel_1m WHERE tenant = 'acme' GROUP BY key ORDER BY key FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task AGlobTailsEveryMatchWithItsTenantFromThePathAndAFileThatAppearsLaterIsRead()
    {
        string db = UniqueName.For("tailglob");
        using var temp = new TempFolder("tailglob");
        string folder = temp.Path;
        foreach (string site in new[] { "site-a", "site-b" })
        {
            Directory.CreateDirectory(Path.Combine(folder, site));
        }

        string later = Path.Combine(folder, "later.log");
        Append(Path.Combine(folder, "site-a", "access.log"), 30);
        Append(Path.Combine(folder, "site-b", "access.log"), 20);
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:Files:Sources:0:Path={folder}/*/access.log", "--FastIngest:Files:Sources:0:TenantFromPath=/(?<tenant>[^/]+)/access\\.log$",
            $"--FastIngest:Files:Sources:1:Path={later}", "--FastIngest:Files:Sources:1:Tenant=files",
            $"--FastIngest:StateDirectory={Path.Combine(folder, "state")}");
        // The tails are running once what the globbed files held is counted: only then does later.log appear.
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, 50, TimeSpan.FromSeconds(20));
        Append(later, 10); // did not exist at start
        Append(Path.Combine(folder, "site-b", "access.log"), 5);
        await WaitCountedAsync(db, 10);
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(server.Output);
        Assert.Equal("files\t10\nsite-a\t30\nsite-b\t25", await TrafficTotals.RequestsPerTenantAsync(clickHouse, db));
    }

    [Fact]
    public async Task AFileWithTheDefaultFormatCountsJsonAndCombinedLinesEachAsWhatItIs()
    {
        // Format auto, the default (issue 16): each line by its first byte, as syslog reads bodies.
        string db = UniqueName.For("tailauto");
        using var temp = new TempFolder("tailauto");
        string folder = temp.Path;
        string log = Path.Combine(folder, "access.log");
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var json = new NginxLines(seed: 16);
        var text = new StringBuilder();
        for (int i = 0; i < 300; i++)
        {
            text.Append(json.Line("files", now - i)).Append('\n');
            string combined = NginxLineBuilder.Combined($"10.2.0.{i % 256}", DateTimeOffset.UtcNow, $"GET /caf\\xC3\\xA9/{i % 7} HTTP/1.1", 200 + (i % 3 * 100), i, "", "auto-test")
                + (i % 2 == 0 ? " \"HIT\"" : "");
            json.Expected["files"].AddCombinedLine(combined);
            text.Append(combined).Append('\n');
        }

        text.Append("hello, not a log line\n").Append("{\"status\":\"200\"\n");
        File.WriteAllText(log, text.ToString());
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:Files:Sources:0:Path={log}", "--FastIngest:Files:Sources:0:Tenant=files",
            $"--FastIngest:StateDirectory={Path.Combine(folder, "state")}");
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, 600, TimeSpan.FromSeconds(20));

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(server.Output);
        await TrafficTotals.AssertAsync(clickHouse, db, json.Expected);
        Assert.Equal("file\tnot_json\t1\nfile\tunknown_format\t1", (await clickHouse.QueryAsync(
            $"SELECT source, reason, sum(count) FROM {db}.ingest_errors GROUP BY source, reason ORDER BY reason FORMAT TSV")).Trim());
        // The combined lines' escaped paths count decoded.
        Assert.Equal("300", (await clickHouse.QueryAsync(
            $"SELECT sumMerge(requests) FROM {db}.paths_1h WHERE tenant = 'files' AND startsWith(path, '/caf\u00e9/') FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task AJsonLogThatMixesVirtualHostsCountsEachLineForItsHost()
    {
        string db = UniqueName.For("tailhost");
        using var temp = new TempFolder("tailhost");
        string folder = temp.Path;
        string log = Path.Combine(folder, "access.json.log");
        long msec = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string Line(string host) => new NginxLineBuilder().Msec(msec).Set("status", "200").Set("bytes_sent", "10").Set("http_host", host).ToJson() + "\n";
        File.WriteAllText(log, string.Concat(
            Enumerable.Repeat(Line("shop.example.com:8080"), 7).Concat(Enumerable.Repeat(Line("blog.example.com"), 3))
                .Append(Line("")).Append(Line("not a host!"))));
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:Files:Sources:0:Path={log}", "--FastIngest:Files:Sources:0:Format=json", "--FastIngest:Files:Sources:0:TenantFromHost=true",
            $"--FastIngest:StateDirectory={Path.Combine(folder, "state")}");
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, 10, TimeSpan.FromSeconds(10));

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("blog.example.com\t3\nshop.example.com\t7", await TrafficTotals.RequestsPerTenantAsync(clickHouse, db));
        Assert.Equal("file\tinvalid_tenant\t1\nfile\tmissing_tenant\t1", (await clickHouse.QueryAsync(
            $"SELECT source, reason, sum(count) FROM {db}.ingest_errors GROUP BY source, reason ORDER BY reason FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task ACheckpointTheDiskRefusesKeepsTheTailReadingAndIsSavedOnceThereIsRoom()
    {
        string db = UniqueName.For("tailenospc");
        using var temp = new TempFolder("tailenospc");
        // The state directory on a real 1 MiB file system; the log elsewhere.
        using var disk = new TmpfsMount("tailenospc", 1L << 20);
        string log = Path.Combine(temp.Path, "access.log");
        Append(log, 500);
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:Files:Sources:0:Path={log}", "--FastIngest:Files:Sources:0:Format=combined",
            "--FastIngest:Files:Sources:0:Tenant=files", $"--FastIngest:StateDirectory={disk.Path}");
        await WaitCountedAsync(db, 500);
        long firstLength = new FileInfo(log).Length;
        await Eventually.UntilAsync(() => SavedOffset(disk.Path), offset => offset == firstLength, TimeSpan.FromSeconds(20), "the first checkpoint saved (offset)");

        string filler = disk.Fill("filler", leaveFreeBytes: 0);
        Append(log, 500);
        // The tail goes on reading; only its checkpoint waits.
        await WaitCountedAsync(db, 1_000);
        await Eventually.UntilAsync(() => server.MetricAsync("fastingest_tail_checkpoint_failures_total"), failures => failures > 0, TimeSpan.FromSeconds(20),
            "a checkpoint refused by the full disk (failures)");
        Assert.Equal(firstLength, SavedOffset(disk.Path));
        // The log arrives through a pipe, a moment after what it reports.
        await Eventually.TrueAsync(() => server.Output.Contains("can't be saved (the disk refused it)", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the log to say \"can't be saved (the disk refused it)\"");

        File.Delete(filler);
        long secondLength = new FileInfo(log).Length;
        await Eventually.UntilAsync(() => SavedOffset(disk.Path), offset => offset == secondLength, TimeSpan.FromSeconds(20), "the checkpoint saved again (offset)");
        // The log arrives through a pipe, a moment after what it reports.
        await Eventually.TrueAsync(() => server.Output.Contains("checkpoint saved again", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the log to say \"checkpoint saved again\"");
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(server.Output);
        Assert.DoesNotContain("no longer read", server.Output, StringComparison.Ordinal);
        Assert.Equal(1_000, await TrafficTotals.RequestsAsync(clickHouse, db, "files"));
    }

    /// <summary>The offset of the one tail checkpoint in <paramref name="state"/> (-1 when there is none yet).</summary>
    private static long SavedOffset(string state)
    {
        string? path = Directory.GetFiles(state, "tail-*.json").SingleOrDefault();
        if (path is null)
        {
            return -1;
        }

        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("Offset").GetInt64();
    }
}
