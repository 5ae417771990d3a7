using System.Diagnostics;
using FastIngest.Core.Sinks.ClickHouse;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// Issue 16's rollups on any ClickHouse: three days of generated NGINX lines imported for a few tenants
/// through the real server process (pixel hits of acme among them), events through their write door,
/// then every minute, hour and day table compared per tenant. <paramref name="query"/> runs one statement
/// and returns its TabSeparated answer.
/// </summary>
internal sealed class RollupTraffic(Uri clickHouse, Func<string, Task<string>> query, ITestOutputHelper output)
{
    public static readonly string[] Tenants = ["shop", "blog", "cdn"];

    // Monday 2026-09-28 21:00 to Thursday 2026-10-01 21:00 UTC: 72 hours over four UTC days and two months.
    public static readonly DateTimeOffset Start = new(2026, 9, 28, 21, 0, 0, TimeSpan.Zero);
    public const int Hours = 72;
    public const int LinesPerTenant = 2_000;
    private const int OldRows = 500;

    private static readonly string[] s_rollups = ["traffic_1h", "traffic_1d", "status_1h", "status_1d", "pixel_1h", "pixel_1d", "events_1h", "events_1d", "paths_1d"];

    private static readonly string s_trafficSums = string.Join(", ",
        "requests bytes_sent body_bytes_sent status_1xx status_2xx status_3xx status_4xx status_5xx cache_hit cache_miss cache_expired cache_stale cache_updating cache_revalidated cache_bypass request_time_count request_time_sum_ms rt_0_10ms rt_10_50ms rt_50_100ms rt_100_250ms rt_250_500ms rt_500_1000ms rt_1000_5000ms rt_5000ms_plus"
            .Split(' ').Select(c => $"sum({c})"));

    public NginxLines Lines { get; } = new(seed: 16);

    /// <summary>Imports each tenant's three days (one import each: the schema is applied every time).</summary>
    public async Task ImportAsync(string db, string folder)
    {
        foreach (string tenant in Tenants)
        {
            string file = Path.Combine(folder, tenant + ".log");
            long step = (long)TimeSpan.FromHours(Hours).TotalMilliseconds / LinesPerTenant;
            await File.WriteAllLinesAsync(file, Enumerable.Range(0, LinesPerTenant).Select(i => Lines.Line(tenant, Start.ToUnixTimeMilliseconds() + i * step + 7)));
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string arg in new[] { ServerProcess.ServerDll(), "import", "--format", "json", "--tenant", tenant, file,
                $"--FastIngest:ClickHouse:Url={clickHouse}", $"--FastIngest:ClickHouse:Database={db}", $"--FastIngest:StateDirectory={Path.Combine(folder, "state")}" })
            {
                psi.ArgumentList.Add(arg);
            }

            using Process import = Process.Start(psi) ?? throw new InvalidOperationException("import did not start");
            Task<string> stdout = import.StandardOutput.ReadToEndAsync();
            string stderr = await import.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await import.WaitForExitAsync(timeout.Token);
            output.WriteLine(stderr + await stdout);
            Assert.True(import.ExitCode == 0, stderr);
        }
    }

    /// <summary>Events of every tenant over the same hours, through the events' write door as the sink sends them.</summary>
    public Task InsertEventsAsync(string db) => query(
        $"INSERT INTO {db}.events_1m_in (tenant, minute, event_type, path, events, insert_id) " +
        $"SELECT arrayElement(['shop', 'blog', 'cdn'], number % 3 + 1), toDateTime({Start.ToUnixTimeSeconds()} + number * 97, 'UTC'), " +
        "if(number % 5 = 0, 'signup', 'page_view'), concat('/p', toString(number % 7)), number % 4 + 1, 1616 FROM numbers(2672)");

    /// <summary>Every family's per-tenant sums agree at every grain, and the rows are one per tenant and hour or day.</summary>
    public async Task AssertEveryGrainAgreesAsync(string db, bool backfilled = false)
    {
        foreach ((string family, string sums) in new[] { ("traffic", s_trafficSums), ("status", "sum(requests)"), ("pixel", "sum(hits)"), ("events", "sum(events)") })
        {
            string minute = await TotalsAsync($"SELECT tenant, {sums} FROM {db}.{family}_1m GROUP BY tenant ORDER BY tenant");
            Assert.Equal(minute, await TotalsAsync($"SELECT tenant, {sums} FROM {db}.{family}_1h GROUP BY tenant ORDER BY tenant"));
            Assert.Equal(minute, await TotalsAsync($"SELECT tenant, {sums} FROM {db}.{family}_1d GROUP BY tenant ORDER BY tenant"));
            // Per hour and per day too, not just in all: a row in the wrong hour would pass the totals.
            Assert.Equal(
                await TotalsAsync($"SELECT tenant, toStartOfHour(minute) AS h, {sums} FROM {db}.{family}_1m GROUP BY tenant, h ORDER BY tenant, h"),
                await TotalsAsync($"SELECT tenant, hour, {sums} FROM {db}.{family}_1h GROUP BY tenant, hour ORDER BY tenant, hour"));
            Assert.Equal(
                await TotalsAsync($"SELECT tenant, toDate(minute) AS d, {sums} FROM {db}.{family}_1m GROUP BY tenant, d ORDER BY tenant, d"),
                await TotalsAsync($"SELECT tenant, day, {sums} FROM {db}.{family}_1d GROUP BY tenant, day ORDER BY tenant, day"));
        }

        const string paths = "sumMerge(requests), sumMerge(body_bytes_sent), sumMerge(cache_hit), sumMerge(cache_miss), maxMerge(last_hit)";
        Assert.Equal(
            await TotalsAsync($"SELECT tenant, toDate(hour) AS d, path, {paths} FROM {db}.paths_1h GROUP BY tenant, d, path ORDER BY tenant, d, path"),
            await TotalsAsync($"SELECT tenant, day, path, {paths} FROM {db}.paths_1d GROUP BY tenant, day, path ORDER BY tenant, day, path"));

        // Each tenant's own numbers, computed here from the lines: the grains agree on the right totals.
        var requests = Lines.Expected.ToDictionary(t => t.Key, t => t.Value.Requests);
        if (backfilled)
        {
            requests["old"] = 2 * OldRows;
        }

        Assert.Equal(
            string.Join('\n', requests.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}\t{t.Value}")),
            await TotalsAsync($"SELECT tenant, sum(requests) FROM {db}.traffic_1d GROUP BY tenant ORDER BY tenant"));

        foreach (string table in s_rollups)
        {
            await query($"OPTIMIZE TABLE {db}.{table} FINAL");
        }

        // Merged, a rollup has one row per tenant and hour (day): at most 72 hours and 4 UTC days here.
        Assert.Equal(
            await TotalsAsync($"SELECT tenant, uniqExact(toStartOfHour(minute)) FROM {db}.traffic_1m GROUP BY tenant ORDER BY tenant"),
            await TotalsAsync($"SELECT tenant, count() FROM {db}.traffic_1h GROUP BY tenant ORDER BY tenant"));
        Assert.Equal(
            await TotalsAsync($"SELECT tenant, uniqExact(toDate(minute)) FROM {db}.traffic_1m GROUP BY tenant ORDER BY tenant"),
            await TotalsAsync($"SELECT tenant, count() FROM {db}.traffic_1d GROUP BY tenant ORDER BY tenant"));
        foreach (string[] row in Tsv.Rows(await query($"SELECT tenant, count() FROM {db}.traffic_1h GROUP BY tenant")))
        {
            Assert.InRange(long.Parse(row[1]), row[0] == "old" ? 1 : Hours, row[0] == "old" ? OldRows : Hours);
        }

        // The rollup views add no ledger row: only the doors' own targets are there.
        Assert.Equal("0", (await query($"SELECT count() FROM {db}.insert_ledger WHERE target IN ('{string.Join("', '", s_rollups)}')")).Trim());
    }

    /// <summary>
    /// Rows counted before the rollups existed: written straight into the minute tables (and paths_1h), which
    /// no view sees; then the rollups emptied and clickhouse/backfill-rollups.sql run as the docs say.
    /// </summary>
    public async Task BackfillAsync(string db)
    {
        string old = $"toDateTime({Start.AddDays(-40).ToUnixTimeSeconds()} + number * 3593, 'UTC')";
        await query($"INSERT INTO {db}.traffic_1m (tenant, minute, requests, bytes_sent, status_2xx) SELECT 'old', {old}, 2, number, 2 FROM numbers({OldRows})");
        await query($"INSERT INTO {db}.status_1m (tenant, minute, status, requests) SELECT 'old', {old}, 200, 2 FROM numbers({OldRows})");
        await query($"INSERT INTO {db}.pixel_1m (tenant, key, minute, hits) SELECT 'old', 'k', {old}, 3 FROM numbers({OldRows})");
        await query($"INSERT INTO {db}.events_1m (tenant, minute, event_type, path, events) SELECT 'old', {old}, 'page_view', '/', 1 FROM numbers({OldRows})");
        await query($"INSERT INTO {db}.paths_1h (tenant, hour, path, requests, body_bytes_sent, cache_hit, cache_miss, last_hit) " +
            $"SELECT 'old', toStartOfHour({old}) AS h, '/old', sumState(toUInt64(1)), sumState(toUInt64(number)), sumState(toUInt64(0)), sumState(toUInt64(1)), maxState({old}) FROM numbers({OldRows}) GROUP BY h, number");
        foreach (string table in s_rollups)
        {
            await query($"TRUNCATE TABLE {db}.{table}");
        }

        foreach (string statement in SchemaMigrator.Split(File.ReadAllText(RepoPaths.Combine("clickhouse", "backfill-rollups.sql")), db))
        {
            await query(statement);
        }
    }

    private async Task<string> TotalsAsync(string sql) => (await query(sql + " FORMAT TSV")).Trim();
}
