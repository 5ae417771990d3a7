using System.Diagnostics;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.RawRows;

/// <summary>
/// <c>requests_raw</c> on modern ClickHouse (26.7 through chDB), from combined lines imported through the
/// real server process: the same schema and RowBinary as on 18.16, and the table's day partitions kept
/// within the 100 partitions modern ClickHouse takes per insert block.
/// </summary>
[Collection("ModernClickHouse")]
[Trait("Category", "Integration")]
public sealed class ModernClickHouseRawRowsTests(ModernClickHouse clickHouse, ITestOutputHelper output)
{
    private const int Days = 150;
    private const int LinesPerDay = 4;

    [Fact]
    public async Task CombinedLinesOverAHundredAndFiftyDaysGetOneRowEachAndNothingPersonal()
    {
        string db = UniqueName.For("modern_raw");
        using var temp = new TempFolder("modern-raw");
        string log = Path.Combine(temp.Path, "access.log");
        long body = 0;
        await using (var writer = new StreamWriter(log))
        {
            var start = new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.FromHours(2));
            for (int day = 0; day < Days; day++)
            {
                for (int i = 0; i < LinesPerDay; i++)
                {
                    int bytes = 1000 + day + i;
                    body += bytes;
                    string request = i == 3 ? "POST /api/cart?session=s3cr3t HTTP/1.1" : "GET /media/a.mp4?token=t0k3n HTTP/1.1";
                    await writer.WriteLineAsync(NginxLineBuilder.Combined("192.0.2.9", start.AddDays(day).AddMinutes(i), request, i == 2 ? 503 : 200, bytes,
                        "https://alice:pw@Ref.Example.com:8443/inbox?msg=1", "Mozilla/5.0 AliceBrowser"));
                }
            }
        }

        (int exit, string stderr) = await ImportAsync(db, temp.Path, log);

        Assert.True(exit == 0, stderr);
        int lines = Days * LinesPerDay;
        // One row per line, each day its own partition: more than one insert block took them.
        Assert.Equal(
            $"{lines}\t{body}\t{Days}\t{Days}\t{Days * 3}\t{Days}",
            clickHouse.Query(
                $"SELECT count(), sum(body_bytes_sent), uniqExact(toYYYYMMDD(time)), countIf(status = 503), countIf(method = 'GET'), countIf(path = '/api/cart') FROM {db}.requests_raw FORMAT TSV").Trim());
        Assert.Equal($"{lines}", clickHouse.Query($"SELECT sum(requests) FROM {db}.traffic_1m FORMAT TSV").Trim());
        Assert.True(int.Parse(clickHouse.Query($"SELECT count() FROM {db}.insert_ledger WHERE target = 'requests_raw' FORMAT TSV").Trim()) >= 2,
            "150 day partitions need at least two inserts");
        Assert.Equal($"{lines}", clickHouse.Query($"SELECT sum(rows) FROM {db}.insert_ledger WHERE target = 'requests_raw' FORMAT TSV").Trim());
        // The time is the line's own, in UTC: 10:00 at +02:00 is 08:00.
        Assert.Equal("2026-01-01 08:00:00\t0", clickHouse.Query($"SELECT min(time), min(time_ms) FROM {db}.requests_raw FORMAT TSV").Trim());

        string stored = clickHouse.Query($"SELECT DISTINCT tenant, method, path, referrer_host, agent_class, cache_status FROM {db}.requests_raw ORDER BY path FORMAT TSV");
        // "Mozilla/5.0 AliceBrowser" is a browser nothing more is known of: its class, never its text (issue 18).
        Assert.Equal("cdn\tPOST\t/api/cart\tref.example.com\tother/other/unknown\t\ncdn\tGET\t/media/a.mp4\tref.example.com\tother/other/unknown\t\n", stored);
        foreach (string personal in (string[])["192.0.2", "alice", "Alice", "Mozilla", "s3cr3t", "t0k3n", "8443", "inbox"])
        {
            Assert.DoesNotContain(personal, stored, StringComparison.Ordinal);
        }
    }

    private async Task<(int Exit, string Stderr)> ImportAsync(string db, string folder, string file)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { ServerProcess.ServerDll(), "import", "--format", "combined", "--tenant", "cdn", file }.Concat(
            [$"--FastIngest:ClickHouse:Url={clickHouse.HttpUri}", $"--FastIngest:ClickHouse:Database={db}", $"--FastIngest:StateDirectory={Path.Combine(folder, "state")}",
                "--FastIngest:RawRows:Tenants:0=cdn", "--FastIngest:Aggregation:Shards=1"]))
        {
            psi.ArgumentList.Add(arg);
        }

        using Process import = Process.Start(psi) ?? throw new InvalidOperationException("import did not start");
        Task<string> stdout = import.StandardOutput.ReadToEndAsync();
        string stderr = await import.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await import.WaitForExitAsync(timeout.Token);
        output.WriteLine(stderr + await stdout);
        return (import.ExitCode, stderr);
    }
}
