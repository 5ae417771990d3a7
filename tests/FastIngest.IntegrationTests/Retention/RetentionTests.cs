using System.Globalization;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Retention;

/// <summary>
/// Issue 16, item 3, on ClickHouse 18.16 (no TTL): the server's job drops the partitions whose whole
/// month is past each table's window, within one interval, and keeps every row inside it.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class RetentionTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task ExpiredPartitionsDisappearWithinOneIntervalAndRowsInsideTheWindowStay()
    {
        string db = UniqueName.For("retention");
        foreach (string statement in SchemaMigrator.Statements(db))
        {
            await clickHouse.ExecuteAsync(statement);
        }

        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            "--FastIngest:Retention:Enabled=true",
            $"--FastIngest:Retention:Interval={s_interval:c}",
            "--FastIngest:Retention:Days:status_1m=0",
            "--FastIngest:Retention:Days:pixel_1m=200");
        // The pass at start has run (over empty tables): what follows is one interval's work.
        await Eventually.UntilAsync(() => server.MetricAsync("fastingest_retention_runs_total"), runs => runs >= 1, TimeSpan.FromSeconds(30), "the first retention pass");

        DateTime now = DateTime.UtcNow;
        // Rows older than their window by more than a month (so their whole month is past it), and rows inside it.
        await InsertTrafficAsync(db, "traffic_1m", now.AddDays(-80), 5);       // 14 days: dropped
        await InsertTrafficAsync(db, "traffic_1m", now.AddDays(-1), 7);        // kept
        await InsertStatusAsync(db, now.AddDays(-400), 11);                    // override 0 = keep
        await InsertPixelAsync(db, now.AddDays(-100), 13);                     // override 200 days: kept
        await InsertPixelAsync(db, now.AddDays(-300), 17);                     // dropped
        await InsertErrorsAsync(db, now.AddDays(-75), 19);                     // 30 days: dropped
        await InsertErrorsAsync(db, now.AddDays(-2), 23);                      // kept
        await InsertLedgerAsync(db, now.AddDays(-60), 1);                      // 7 days: dropped
        await InsertLedgerAsync(db, now, 2);                                   // kept
        await InsertPathsAsync(db, now.AddDays(-500), 29);                     // 400 days: dropped
        await InsertPathsAsync(db, now.AddDays(-300), 31);                     // kept
        await InsertVisitorsAsync(db, now.AddDays(-2000));                     // *_1d: kept for good
        DateTime inserted = DateTime.UtcNow;

        // Within one interval (and the time the pass itself takes), every expired partition is gone.
        await Eventually.UntilAsync(() => SumAsync($"SELECT sum(requests) FROM {db}.traffic_1m"), sum => sum == "7",
            s_interval + TimeSpan.FromSeconds(5), "traffic_1m's expired month to be dropped");
        TimeSpan took = DateTime.UtcNow - inserted;
        output.WriteLine($"expired partitions gone {took.TotalSeconds:F1} s after the inserts (interval {s_interval.TotalSeconds} s)");
        await Eventually.UntilAsync(() => server.MetricAsync("fastingest_retention_partitions_dropped_total"), dropped => dropped >= 5,
            s_interval + TimeSpan.FromSeconds(5), "five partitions dropped and counted");

        Assert.Equal("7", await SumAsync($"SELECT sum(requests) FROM {db}.traffic_1m"));
        Assert.Equal("11", await SumAsync($"SELECT sum(requests) FROM {db}.status_1m"));
        Assert.Equal("13", await SumAsync($"SELECT sum(hits) FROM {db}.pixel_1m"));
        Assert.Equal("23", await SumAsync($"SELECT sum(count) FROM {db}.ingest_errors"));
        Assert.Equal("31", await SumAsync($"SELECT sumMerge(requests) FROM {db}.paths_1h"));
        Assert.Equal("1", await SumAsync($"SELECT uniqMerge(visitors) FROM {db}.visitors_1d"));
        // The old ledger row is gone, the fresh one (and those the paths and visitors doors wrote now) stay.
        Assert.Equal("0", await SumAsync($"SELECT count() FROM {db}.insert_ledger WHERE insert_id = 1"));
        Assert.Equal("1", await SumAsync($"SELECT count() FROM {db}.insert_ledger WHERE insert_id = 2"));

        // Counted per table, and logged with the partition.
        Assert.Equal(5, await server.MetricAsync("fastingest_retention_partitions_dropped_total"));
        string metrics = await MetricsTextAsync(server);
        foreach (string table in new[] { "traffic_1m", "pixel_1m", "ingest_errors", "insert_ledger", "paths_1h" })
        {
            Assert.Contains($"fastingest_retention_partitions_dropped_total{{table=\"{table}\"}} 1", metrics, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("table=\"status_1m\"", metrics, StringComparison.Ordinal);
        Assert.Equal(0, await server.MetricAsync("fastingest_retention_failures_total"));
        Assert.Contains($"dropped partition {now.AddDays(-80):yyyyMM} of traffic_1m (1 rows)", server.Output, StringComparison.Ordinal);
        Assert.Contains("expiring rows by partition drops (no TTL before 19.6)", server.Output, StringComparison.Ordinal);
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>
    /// Issue 19: with <c>Shards</c>, <c>Database</c> holds Distributed tables (no partitions of their own):
    /// retention acts on each shard's local tables.
    /// </summary>
    [Fact]
    public async Task WithShardsExpiredPartitionsOfTheShardsLocalTablesDisappear()
    {
        string db = UniqueName.For("retention_shards");
        string local = db + "_local";
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            $"--FastIngest:ClickHouse:Shards:0:Replicas:0={clickHouse.HttpUri}",
            $"--FastIngest:ClickHouse:LocalDatabase={local}",
            "--FastIngest:Retention:Enabled=true",
            $"--FastIngest:Retention:Interval={s_interval:c}");
        // The shard's sink applied the local schema; the pass at start has run over its empty tables.
        await Eventually.UntilAsync(() => server.MetricAsync("fastingest_retention_runs_total"), runs => runs >= 1, TimeSpan.FromSeconds(30), "the first retention pass");

        DateTime now = DateTime.UtcNow;
        await InsertTrafficAsync(local, "traffic_1m", now.AddDays(-80), 5);    // 14 days: dropped
        await InsertTrafficAsync(local, "traffic_1m", now.AddDays(-1), 7);     // kept
        await Eventually.UntilAsync(() => SumAsync($"SELECT sum(requests) FROM {local}.traffic_1m"), sum => sum == "7",
            s_interval + TimeSpan.FromSeconds(5), "the shard's expired traffic_1m month to be dropped");
        Assert.Equal(0, await server.MetricAsync("fastingest_retention_failures_total"));
        Assert.Contains($"dropped partition {now.AddDays(-80):yyyyMM} of traffic_1m (1 rows)", server.Output, StringComparison.Ordinal);
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    private static async Task<string> MetricsTextAsync(ServerProcess server)
    {
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        return await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }

    private async Task<string> SumAsync(string sql) => (await clickHouse.QueryAsync(sql + " FORMAT TSV")).Trim();

    private static string Time(DateTime time) => "'" + time.ToString("yyyy-MM-dd HH:mm:00", CultureInfo.InvariantCulture) + "'";

    private Task InsertTrafficAsync(string db, string table, DateTime minute, int requests) =>
        clickHouse.ExecuteAsync($"INSERT INTO {db}.{table} (tenant, minute, requests) VALUES ('shop', {Time(minute)}, {requests})");

    private Task InsertStatusAsync(string db, DateTime minute, int requests) =>
        clickHouse.ExecuteAsync($"INSERT INTO {db}.status_1m (tenant, minute, status, requests) VALUES ('shop', {Time(minute)}, 200, {requests})");

    private Task InsertPixelAsync(string db, DateTime minute, int hits) =>
        clickHouse.ExecuteAsync($"INSERT INTO {db}.pixel_1m (tenant, key, minute, hits) VALUES ('shop', 'k', {Time(minute)}, {hits})");

    private Task InsertErrorsAsync(string db, DateTime time, int count) =>
        clickHouse.ExecuteAsync($"INSERT INTO {db}.ingest_errors (time, source, tenant, reason, count, sample) VALUES ({Time(time)}, 'udp', 'shop', 'not_json', {count}, '')");

    private Task InsertLedgerAsync(string db, DateTime time, int insertId) =>
        clickHouse.ExecuteAsync($"INSERT INTO {db}.insert_ledger (insert_id, target, rows, time) VALUES ({insertId}, 'traffic_1m', 1, {Time(time)})");

    // Through the write door: its view folds the row into sum/max states (and writes a ledger row, now).
    private Task InsertPathsAsync(string db, DateTime hour, int requests) =>
        clickHouse.ExecuteAsync($"INSERT INTO {db}.paths_1h_in (tenant, hour, path, requests, body_bytes_sent, cache_hit, cache_miss, last_hit, insert_id) " +
            $"VALUES ('shop', {Time(hour)}, '/a', {requests}, 0, 0, 0, {Time(hour)}, {1000 + requests})");

    private Task InsertVisitorsAsync(string db, DateTime day) =>
        clickHouse.ExecuteAsync($"INSERT INTO {db}.visitors_1d_in (tenant, day, key, visitor, insert_id) VALUES ('shop', '{day:yyyy-MM-dd}', '', 42, 999)");
}
