using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Import;

[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed partial class ImportTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private const int Lines = 1_000_000;

    [Fact]
    public async Task AMillionLineCombinedLogImportsWithExactHourlyTotalsAndARerunAddsNothing()
    {
        string db = UniqueName.For("import");
        using var temp = new TempFolder("import");
        string folder = temp.Path;
        // Rotated history the way logrotate leaves it: the older 40 % compressed, the rest plain.
        var expected = new SortedDictionary<long, (long Requests, long Body, long NotFound)>();
        var files = new SortedDictionary<string, (long Downloads, long Bytes, long Hits, long Misses, long LastHit)>(StringComparer.Ordinal);
        var random = new Random(8);
        long start = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        string[] paths = ["/", "/media/a.mp4", "/media/b.webp", "/api/cart", "/download/file1.zip"];
        int[] statuses = [200, 200, 200, 206, 304, 404, 500];
        string[] tails = ["", " \"HIT\"", " \"MISS\"", " cache=HIT", " \"-\""];
        var offset = TimeSpan.FromHours(-7);
        string older = Path.Combine(folder, "access.log.1.gz"), current = Path.Combine(folder, "access.log");
        using (var gz = new StreamWriter(new GZipStream(File.Create(older), CompressionLevel.Fastest), new UTF8Encoding(false)))
        using (var plain = new StreamWriter(current, false, new UTF8Encoding(false)))
        {
            for (int i = 0; i < Lines; i++)
            {
                long time = start + i / 10;
                int status = statuses[random.Next(statuses.Length)];
                int body = random.Next(0, 100_000);
                string path = paths[random.Next(paths.Length)];
                string tail = tails[random.Next(tails.Length)];
                string address = $"10.0.{random.Next(256)}.{random.Next(256)}";
                (i < Lines * 4 / 10 ? gz : plain).Write(NginxLineBuilder.Combined(
                    address, DateTimeOffset.FromUnixTimeSeconds(time).ToOffset(offset), $"GET {path}?x=1 HTTP/1.1", status, body, "", "Mozilla/5.0 \"q\"") + tail + "\n");
                (long d, long by, long h, long m, long last) = files.GetValueOrDefault(path);
                files[path] = (d + 1, by + body, h + (tail.Contains("HIT", StringComparison.Ordinal) ? 1 : 0), m + (tail.Contains("MISS", StringComparison.Ordinal) ? 1 : 0), Math.Max(last, time));
                long hour = time / 3600 * 3600;
                (long r, long b, long n) = expected.GetValueOrDefault(hour);
                expected[hour] = (r + 1, b + body, n + (status == 404 ? 1 : 0));
            }
        }

        File.SetLastWriteTimeUtc(older, DateTime.UtcNow.AddDays(-1));
        string first = await ImportAsync(db, folder, current, older);
        Assert.Contains(" MB/s, ETA ", first, StringComparison.Ordinal);
        Assert.Contains($"imported {Lines:N0} lines ({Lines:N0} counted, 0 rejected", first, StringComparison.Ordinal);

        string hourly = $"SELECT toUInt32(toStartOfHour(minute)) AS hour, sum(requests), sum(body_bytes_sent) FROM {db}.traffic_1m WHERE tenant = 'cdn' GROUP BY hour ORDER BY hour FORMAT TSV";
        string statusSql = $"SELECT toUInt32(toStartOfHour(minute)) AS hour, sum(requests) FROM {db}.status_1m WHERE tenant = 'cdn' AND status = 404 GROUP BY hour ORDER BY hour FORMAT TSV";
        Assert.Equal(expected.Select(p => $"{p.Key}\t{p.Value.Requests}\t{p.Value.Body}"), Tsv.Rows(await clickHouse.QueryAsync(hourly)).Select(r => string.Join('\t', r)));
        Assert.Equal(expected.Select(p => $"{p.Key}\t{p.Value.NotFound}"), Tsv.Rows(await clickHouse.QueryAsync(statusSql)).Select(r => string.Join('\t', r)));

        // The cookbook's "top files", straight from paths_1h (the query files look at the last 7 days).
        Assert.Equal(
            files.Select(f => $"{f.Key}\t{f.Value.Downloads}\t{f.Value.Bytes}\t{f.Value.Hits}\t{f.Value.Misses}\t{f.Value.LastHit}"),
            Tsv.Rows(await clickHouse.QueryAsync(
                $"SELECT path, sumMerge(requests), sumMerge(body_bytes_sent), sumMerge(cache_hit), sumMerge(cache_miss), toUInt32(maxMerge(last_hit)) FROM {db}.paths_1h WHERE tenant = 'cdn' GROUP BY path ORDER BY path FORMAT TSV"))
                .Select(r => string.Join('\t', r)));

        string again = await ImportAsync(db, folder, current, older);
        Assert.Contains("nothing new to import", again, StringComparison.Ordinal);
        Assert.Equal(expected.Select(p => $"{p.Key}\t{p.Value.Requests}\t{p.Value.Body}"), Tsv.Rows(await clickHouse.QueryAsync(hourly)).Select(r => string.Join('\t', r)));
    }

    [Fact]
    public async Task HistoryOfAnyAgeIsImportedTheLiveDoorsWindowIsNotTheImports()
    {
        // Issue 13, item 3: live doors refuse times days away from arrival; import exists for history.
        string db = UniqueName.For("import_old");
        using var temp = new TempFolder("import");
        string log = Path.Combine(temp.Path, "access.log");
        var start = new DateTimeOffset(2020, 3, 1, 8, 0, 0, TimeSpan.Zero);
        const int Count = 2_000;
        long body = 0;
        using (var writer = new StreamWriter(log))
        {
            for (int i = 0; i < Count; i++)
            {
                body += i;
                await writer.WriteLineAsync(NginxLineBuilder.Combined("192.0.2.7", start.AddSeconds(i * 37), "GET /old HTTP/1.1", 200, i, "", "curl/8"));
            }
        }

        await ImportAsync(db, temp.Path, log);

        Assert.Equal(Count, await TrafficTotals.RequestsAsync(clickHouse, db, "cdn"));
        Assert.Equal($"{body}\t2020-03-01 08:00:00", (await clickHouse.QueryAsync($"SELECT sum(body_bytes_sent), min(minute) FROM {db}.traffic_1m FORMAT TSV")).Trim());
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task OneTenantsFileSpreadOverThreeShardsCountsExactlyRejectsIncludedAndARerunAddsNothing()
    {
        // Issue 15, item 3: the import spreads its one tenant over every shard; three shards on this
        // two-core machine, so no shard sees a whole read and lines cross every batch boundary.
        string db = UniqueName.For("import_spread");
        using var temp = new TempFolder("import");
        string log = Path.Combine(temp.Path, "access.log.1.gz");
        var start = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
        const int Count = 200_000;
        long good = 0, rejected = 0, body = 0;
        using (var writer = new StreamWriter(new GZipStream(File.Create(log), CompressionLevel.Fastest), new UTF8Encoding(false)))
        {
            for (int i = 0; i < Count; i++)
            {
                if (i % 101 == 0)
                {
                    await writer.WriteAsync($"garbage {i}\n");
                    rejected++;
                    continue;
                }

                good++;
                body += i;
                await writer.WriteAsync(NginxLineBuilder.Combined($"10.1.{i % 256}.{i / 256 % 256}", start.AddSeconds(i / 3), $"GET /a/{i % 50} HTTP/1.1", 200, i, "", "curl/8") + "\n");
            }
        }

        string totals = $"SELECT sum(requests), sum(body_bytes_sent) FROM {db}.traffic_1m WHERE tenant = 'cdn' FORMAT TSV";
        string errors = $"SELECT sum(count) FROM {db}.ingest_errors FORMAT TSV";
        string first = await ImportAsync(db, temp.Path, [log], "--FastIngest:Aggregation:Shards=3");
        Assert.Contains($"imported {Count:N0} lines ({good:N0} counted, {rejected:N0} rejected", first, StringComparison.Ordinal);
        Assert.Equal($"{good}\t{body}", (await clickHouse.QueryAsync(totals)).Trim());
        Assert.Equal($"{rejected}", (await clickHouse.QueryAsync(errors)).Trim());

        string again = await ImportAsync(db, temp.Path, [log], "--FastIngest:Aggregation:Shards=3");
        Assert.Contains("nothing new to import", again, StringComparison.Ordinal);
        Assert.Equal($"{good}\t{body}", (await clickHouse.QueryAsync(totals)).Trim());
        Assert.Equal($"{rejected}", (await clickHouse.QueryAsync(errors)).Trim());
    }

    [Fact]
    public async Task CtrlCStopsAtALinesEndKeepsWhatWasReadAndARerunGoesOnWithoutCountingTwice()
    {
        string db = UniqueName.For("import_interrupted");
        using var temp = new TempFolder("import");
        string log = Path.Combine(temp.Path, "access.log");
        // 3,000 minutes of 1,000 lines, each from a visitor of its own, on one shard: long enough to
        // interrupt after the first progress line (identical lines went at 4.5M a second). A browser's
        // agent: a bot's lines count no visitor (issue 18) and went by before the signal landed.
        const int Minutes = 3_000, PerMinute = 1_000;
        var start = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
        using (var writer = new StreamWriter(log, false, new UTF8Encoding(false)))
        {
            for (int m = 0; m < Minutes; m++)
            {
                string rest = NginxLineBuilder.Combined("", start.AddMinutes(m), "GET /big.iso HTTP/1.1", 200, 1_000, "", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0") + "\n";
                for (int i = 0; i < PerMinute; i++)
                {
                    int visitor = (m * PerMinute) + i;
                    await writer.WriteAsync($"10.{visitor >> 16}.{(visitor >> 8) & 255}.{visitor & 255}{rest}");
                }
            }
        }

        // As from a terminal, where SIGINT is not ignored. A test host started in the background by a
        // non-interactive shell (`… &` in a script, nohup, some CI runners) has SIGINT ignored and passes that on
        // to its children, and .NET respects an inherited SIG_IGN (it installs no handler, so Ctrl+C would do
        // nothing): `env --default-signal=INT` gives the import the disposition a terminal's process has.
        var psi = new ProcessStartInfo("env") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "--default-signal=INT", "dotnet", ServerProcess.ServerDll(), "import", "--format", "combined", "--tenant", "cdn", log,
            $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{clickHouse.HttpPort}", $"--FastIngest:ClickHouse:Database={db}", $"--FastIngest:StateDirectory={Path.Combine(temp.Path, "state")}", "--FastIngest:Aggregation:Shards=1" })
        {
            psi.ArgumentList.Add(arg);
        }

        var stderr = new StringBuilder();
        using (Process import = Process.Start(psi) ?? throw new InvalidOperationException("import did not start"))
        {
            Task<string> stdout = import.StandardOutput.ReadToEndAsync();
            bool signalled = false;
            while (await import.StandardError.ReadLineAsync() is string line)
            {
                stderr.AppendLine(line);
                if (!signalled && line.Contains(" MB/s, ETA ", StringComparison.Ordinal))
                {
                    // As a terminal's Ctrl+C: to the process the user started, which passes it to the import's child.
                    using Process kill = Process.Start("kill", ["-INT", import.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
                    await kill.WaitForExitAsync();
                    signalled = true;
                }
            }

            await import.WaitForExitAsync();
            output.WriteLine(stderr.ToString() + await stdout);
            Assert.True(signalled, "no progress line before the import ended");
            Assert.Equal(130, import.ExitCode);
        }

        System.Text.RegularExpressions.Match interrupted = System.Text.RegularExpressions.Regex.Match(stderr.ToString(), @"interrupted: imported ([\d,]+) lines \(([\d,]+) counted, 0 rejected\)");
        Assert.True(interrupted.Success, stderr.ToString());
        long firstCounted = long.Parse(interrupted.Groups[2].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(firstCounted, 1, (Minutes * PerMinute) - 1);
        string totals = $"SELECT sum(requests), sum(body_bytes_sent) FROM {db}.traffic_1m WHERE tenant = 'cdn' FORMAT TSV";
        // What was read before the stop is in ClickHouse, no more, no less.
        Assert.Equal($"{firstCounted}\t{firstCounted * 1_000}", (await clickHouse.QueryAsync(totals)).Trim());

        string again = await ImportAsync(db, temp.Path, [log], "--FastIngest:Aggregation:Shards=1");
        Assert.Contains($"bytes imported before, skipped", again, StringComparison.Ordinal);
        Assert.Contains($"imported {(Minutes * PerMinute) - firstCounted:N0} lines", again, StringComparison.Ordinal);
        Assert.Equal($"{Minutes * PerMinute}\t{(long)Minutes * PerMinute * 1_000}", (await clickHouse.QueryAsync(totals)).Trim());
    }

    [Fact]
    public async Task AFileInTheOperatorsOwnLogFormatImportsWithItsFields()
    {
        // Issue 16: --format names a FastIngest:Formats entry; main with the request time and bytes sent.
        string db = UniqueName.For("import_main");
        using var temp = new TempFolder("import");
        string log = Path.Combine(temp.Path, "access.log");
        const string Main = "'$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" $request_time $bytes_sent'";
        var start = new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.FromHours(2));
        const int Count = 3_000;
        long body = 0, sent = 0, timeMs = 0;
        using (var writer = new StreamWriter(log))
        {
            for (int i = 0; i < Count; i++)
            {
                body += i;
                sent += i + 200;
                timeMs += i % 1000;
                string combined = NginxLineBuilder.Combined($"192.0.2.{i % 200}", start.AddSeconds(i * 7), $"GET /p/{i % 9} HTTP/1.1", 200 + (i % 3), i, "", $"agent \"{i % 4}\"");
                await writer.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{combined} {(i % 1000) / 1000.0:0.000} {i + 200}"));
            }
        }

        await ImportAsync(db, temp.Path, [log], "--format", "main", $"--FastIngest:Formats:main={Main}");

        Assert.Equal($"{Count}\t{body}\t{sent}\t{Count}\t{timeMs}", (await clickHouse.QueryAsync(
            $"SELECT sum(requests), sum(body_bytes_sent), sum(bytes_sent), sum(request_time_count), sum(request_time_sum_ms) FROM {db}.traffic_1m WHERE tenant = 'cdn' FORMAT TSV")).Trim());
        Assert.Equal("0", (await clickHouse.QueryAsync($"SELECT count() FROM {db}.ingest_errors FORMAT TSV")).Trim());
    }

    private Task<string> ImportAsync(string db, string folder, params string[] files) => ImportAsync(db, folder, files, []);

    private Task<string> ImportAsync(string db, string folder, string[] files, params string[] options) => ImportAsync("cdn", db, folder, files, options);

    private async Task<string> ImportAsync(string tenant, string db, string folder, string[] files, params string[] options)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { ServerProcess.ServerDll(), "import", "--format", "combined", "--tenant", tenant }.Concat(files).Concat(
            [$"--FastIngest:ClickHouse:Url=http://127.0.0.1:{clickHouse.HttpPort}", $"--FastIngest:ClickHouse:Database={db}", $"--FastIngest:StateDirectory={Path.Combine(folder, "state")}", .. options]))
        {
            psi.ArgumentList.Add(arg);
        }

        using Process import = Process.Start(psi) ?? throw new InvalidOperationException("import did not start");
        Task<string> stdout = import.StandardOutput.ReadToEndAsync();
        string stderr = await import.StandardError.ReadToEndAsync();
        await import.WaitForExitAsync();
        output.WriteLine(stderr + await stdout);
        Assert.True(import.ExitCode == 0, stderr);
        return stderr;
    }
}
