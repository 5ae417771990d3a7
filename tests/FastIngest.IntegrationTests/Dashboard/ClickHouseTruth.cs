using System.Globalization;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Dashboard;

/// <summary>
/// What ClickHouse itself holds for a tenant and a window, queried here from the minute and hour tables
/// independently of the server's API, in the shape the dashboard's tables show (tab-separated rows).
/// </summary>
internal sealed class ClickHouseTruth(PrivateClickHouse clickHouse, string db, string tenant, DateTimeOffset from, DateTimeOffset to)
{
    private string Range(string column) => $"tenant = '{tenant}' AND {column} >= {Time(from)} AND {column} < {Time(to)}";

    private static string Time(DateTimeOffset t) =>
        "toDateTime('" + t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "', 'UTC')";

    private async Task<List<string>> RowsAsync(string sql) =>
        [.. Tsv.Rows(await clickHouse.QueryAsync(sql + " FORMAT TSV")).Select(r => string.Join('\t', r))];

    private async Task<long> ScalarAsync(string sql) =>
        long.Parse((await clickHouse.QueryAsync(sql + " FORMAT TSV")).Trim(), CultureInfo.InvariantCulture);

    public Task<long> RequestsAsync() => ScalarAsync($"SELECT sum(requests) FROM {db}.traffic_1m WHERE {Range("minute")}");

    public Task<long> BytesSentAsync() => ScalarAsync($"SELECT sum(bytes_sent) FROM {db}.traffic_1m WHERE {Range("minute")}");

    public Task<long> PixelHitsAsync() => ScalarAsync($"SELECT sum(hits) FROM {db}.pixel_1m WHERE {Range("minute")}");

    public Task<long> EventsAsync() => ScalarAsync($"SELECT sum(events) FROM {db}.events_1m WHERE {Range("minute")}");

    /// <summary>The same-length period just before the window (the summary's "previous").</summary>
    public ClickHouseTruth Previous() => new(clickHouse, db, tenant, from - (to - from), from);

    public Task<List<string>> StatusAsync() => RowsAsync(
        $"SELECT c, r FROM (SELECT ['1xx','2xx','3xx','4xx','5xx'] AS cs, [sum(status_1xx), sum(status_2xx), sum(status_3xx), sum(status_4xx), sum(status_5xx)] AS rs FROM {db}.traffic_1m WHERE {Range("minute")}) ARRAY JOIN cs AS c, rs AS r");

    public Task<List<string>> CacheAsync() => RowsAsync(
        $"SELECT c, r FROM (SELECT ['hit','miss','expired','stale','updating','revalidated','bypass'] AS cs, [sum(cache_hit), sum(cache_miss), sum(cache_expired), sum(cache_stale), sum(cache_updating), sum(cache_revalidated), sum(cache_bypass)] AS rs FROM {db}.traffic_1m WHERE {Range("minute")}) ARRAY JOIN cs AS c, rs AS r");

    /// <summary>Top paths from paths_1h over the hours the window touches (the test's traffic stays clear of its edges).</summary>
    public Task<List<string>> TopFilesAsync(string orderBy) => RowsAsync(
        $"SELECT path, sumMerge(requests) AS requests, sumMerge(body_bytes_sent) AS body_bytes_sent FROM {db}.paths_1h " +
        $"WHERE tenant = '{tenant}' AND hour >= toStartOfHour({Time(from)}) AND hour < {Time(to)} GROUP BY path ORDER BY {orderBy} DESC, path LIMIT 10");

    public Task<List<string>> PixelKeysAsync() => RowsAsync(
        $"SELECT key, sum(hits) AS hits FROM {db}.pixel_1m WHERE {Range("minute")} GROUP BY key ORDER BY hits DESC, key");

    /// <summary>People's hits and visitors per device over the UTC days the window touches (agents_1d has days only).</summary>
    public Task<List<string>> DevicesAsync() => RowsAsync(
        $"SELECT device, sumMerge(hits) AS h, uniqMerge(visitors) FROM {db}.agents_1d WHERE tenant = '{tenant}' AND is_bot = 0 " +
        $"AND day >= toDate({Time(from)}) AND day <= toDate({Time(to.AddTicks(-1))}) GROUP BY device ORDER BY h DESC, device");

    public Task<List<string>> EventTypesAsync() => RowsAsync(
        $"SELECT event_type, sum(events) AS e FROM {db}.events_1m WHERE {Range("minute")} GROUP BY event_type ORDER BY e DESC, event_type");

    public Task<List<string>> EventPathsAsync() => RowsAsync(
        $"SELECT path, sum(events) AS e FROM {db}.events_1m WHERE {Range("minute")} GROUP BY path ORDER BY e DESC, path");

    public Task<List<string>> RefusalsAsync() => RowsAsync(
        $"SELECT reason, sum(count) AS c FROM {db}.ingest_errors WHERE {Range("time")} GROUP BY reason ORDER BY c DESC, reason");

    /// <summary>The top referrers of the UTC days the window touches (referrers_1d is per UTC day).</summary>
    public Task<List<string>> SourcesAsync() => RowsAsync(
        $"SELECT toString(source_group) AS g, host, sumMerge(visits) AS v, uniqIfMerge(visitors) FROM {db}.referrers_1d " +
        $"WHERE tenant = '{tenant}' AND day >= toDate({Time(from)}) AND day <= toDate({Time(to.AddSeconds(-1))}) GROUP BY g, host ORDER BY v DESC, g, host LIMIT 10");

    /// <summary>Unique visitors of one UTC day, over every key of the tenant.</summary>
    public Task<long> VisitorsOnAsync(string day) =>
        ScalarAsync($"SELECT uniqMerge(visitors) FROM {db}.visitors_1d WHERE tenant = '{tenant}' AND day = toDate('{day}')");
}
