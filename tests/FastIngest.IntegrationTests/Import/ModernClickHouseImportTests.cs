using System.Diagnostics;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Import;

/// <summary>
/// Issue 13, item 3: an import of history spanning more months than modern ClickHouse takes in one insert
/// block (100 partitions), through the real server process, into ClickHouse 26.7 (chDB).
/// </summary>
[Collection("ModernClickHouse")]
[Trait("Category", "Integration")]
public sealed class ModernClickHouseImportTests(ModernClickHouse clickHouse, ITestOutputHelper output)
{
    private const int Months = 160;
    private const int LinesPerMonth = 4;

    [Fact]
    public async Task AnImportSpanningMoreThanAHundredMonthsIsSplitByPartitionAndCountedExactly()
    {
        string db = UniqueName.For("modern_import");
        using var temp = new TempFolder("modern-import");
        (string log, long body) = WriteHistory(temp.Path);

        // One shard: the import spreads its tenant over every shard (issue 15), and each shard's flush is
        // split on its own, so with more shards the count of inserts below depends on their timing.
        (int exit, string stderr, _) = await ImportAsync(db, temp.Path, log, "--FastIngest:Aggregation:Shards=1");

        Assert.True(exit == 0, stderr);
        Assert.Contains($"imported {Months * LinesPerMonth:N0} lines ({Months * LinesPerMonth:N0} counted, 0 rejected", stderr, StringComparison.Ordinal);
        Assert.Equal(
            $"{Months * LinesPerMonth}\t{body}\t{Months}",
            clickHouse.Query($"SELECT sum(requests), sum(body_bytes_sent), uniqExact(toYYYYMM(minute)) FROM {db}.traffic_1m FORMAT TSV").Trim());
        Assert.Equal($"{Months * LinesPerMonth}", clickHouse.Query($"SELECT sum(requests) FROM {db}.status_1m FORMAT TSV").Trim());
        // Every insert into the traffic door was within the default cap of 90 months: two of them here.
        Assert.Equal("2", clickHouse.Query($"SELECT count() FROM {db}.insert_ledger WHERE target = 'traffic_1m' FORMAT TSV").Trim());
    }

    [Fact]
    public async Task WithoutTheSplitModernClickHouseRefusesTheSameImport()
    {
        // The test of the test: the cap raised over ClickHouse's limit, one round spans all 160 months.
        string db = UniqueName.For("modern_unsplit");
        using var temp = new TempFolder("modern-import");
        (string log, _) = WriteHistory(temp.Path);

        (int exit, string stderr, string stdout) = await ImportAsync(db, temp.Path, log, "--FastIngest:ClickHouse:MaxPartitionsPerInsert=1000");

        Assert.Equal(1, exit);
        Assert.Contains("ClickHouse took 0 of 640 counted lines", stderr, StringComparison.Ordinal);
        // The log (on stdout) carries ClickHouse's own refusal, as the driver got it over HTTP.
        Assert.Contains("Code: 252. DB::Exception: Too many partitions for single INSERT block (more than 100)", stdout, StringComparison.Ordinal);
        Assert.Equal("0", clickHouse.Query($"SELECT count() FROM {db}.traffic_1m FORMAT TSV").Trim());
    }

    // Combined lines, LinesPerMonth in each of Months months from January 2000, in time order.
    private static (string Path, long Body) WriteHistory(string folder)
    {
        string path = Path.Combine(folder, "access.log");
        long body = 0;
        using var writer = new StreamWriter(path);
        var start = new DateTimeOffset(2000, 1, 3, 10, 0, 0, TimeSpan.Zero);
        for (int month = 0; month < Months; month++)
        {
            for (int i = 0; i < LinesPerMonth; i++)
            {
                int bytes = 1000 + (month * 10) + i;
                body += bytes;
                writer.WriteLine(NginxLineBuilder.Combined("192.0.2.9", start.AddMonths(month).AddDays(i), "GET /old HTTP/1.1", 200, bytes, "", "curl/8"));
            }
        }

        return (path, body);
    }

    private async Task<(int Exit, string Stderr, string Stdout)> ImportAsync(string db, string folder, string file, params string[] extra)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { ServerProcess.ServerDll(), "import", "--format", "combined", "--tenant", "cdn", file }.Concat(
            [$"--FastIngest:ClickHouse:Url={clickHouse.HttpUri}", $"--FastIngest:ClickHouse:Database={db}", $"--FastIngest:StateDirectory={Path.Combine(folder, "state")}"]).Concat(extra))
        {
            psi.ArgumentList.Add(arg);
        }

        using Process import = Process.Start(psi) ?? throw new InvalidOperationException("import did not start");
        Task<string> stdout = import.StandardOutput.ReadToEndAsync();
        string stderr = await import.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await import.WaitForExitAsync(timeout.Token);
        string log = await stdout;
        output.WriteLine(stderr + log);
        output.WriteLine("ClickHouse HTTP requests:\n" + string.Join('\n', clickHouse.Requests));
        return (import.ExitCode, stderr, log);
    }
}
