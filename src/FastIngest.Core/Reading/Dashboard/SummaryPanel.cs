using System.Text.Json;
using ClickHouse.Driver;

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>
/// <c>summary</c>: the headline numbers of the range and of the same-length period just before it, in one
/// query of scalar subqueries (each reads its coarsest exact table, <see cref="RollupRange"/>).
/// </summary>
internal static class SummaryPanel
{
    public static readonly string[] Columns = ["metric", "value", "previous", "change"];

    public static readonly string[] Metrics = ["requests", "bytes_sent", "visitors", "cache_hit_ratio", "error_rate", "pixel_hits", "events"];

    private const string CacheTotal = "cache_hit + cache_miss + cache_expired + cache_stale + cache_updating + cache_revalidated + cache_bypass";

    public static async Task<PanelTable> QueryAsync(ClickHouseClient client, string database, PanelRequest request, CancellationToken cancellationToken)
    {
        List<JsonElement[]> result = await ClickHouseRows.QueryAsync(client, Sql(database, request), cancellationToken).ConfigureAwait(false);
        JsonElement[] row = result[0];
        object?[] current = Values(row[0], row[2], row[4], row[6]);
        object?[] previous = Values(row[1], row[3], row[5], row[7]);
        var rows = new List<object?[]>();
        for (int i = 0; i < Metrics.Length; i++)
        {
            rows.Add([Metrics[i], current[i], previous[i], Change(current[i], previous[i])]);
        }

        return new PanelTable(null, Columns, rows);
    }

    /// <summary>value / previous − 1; null when either is undefined or previous is 0.</summary>
    public static double? Change(object? value, object? previous)
    {
        double? v = value switch { long l => l, double d => d, _ => null };
        double? p = previous switch { long l => l, double d => d, _ => null };
        return v is { } a && p is { } b && b != 0 ? (a / b) - 1 : null;
    }

    public static string Sql(string database, PanelRequest request)
    {
        DashboardRange range = request.Range;
        RollupRange current = range.Rollup;
        RollupRange previous = range.Previous;
        string tenant = DashboardSql.TenantIs(request.Tenant);
        string traffic(RollupRange r) =>
            $"(SELECT (sum(requests), sum(bytes_sent), sum(status_5xx), sum(cache_hit), sum({CacheTotal})) FROM {database}.{r.Table("traffic")} WHERE {tenant} AND {r.Condition()})";
        string pixel(RollupRange r) => $"(SELECT sum(hits) FROM {database}.{r.Table("pixel")} WHERE {tenant} AND {r.Condition()})";
        string events(RollupRange r) => $"(SELECT sum(events) FROM {database}.{r.Table("events")} WHERE {tenant} AND {r.Condition()})";
        string visitors(DateTime from, DateTime to) =>
            $"(SELECT uniqMerge(visitors) FROM {database}.visitors_1d WHERE {tenant} AND {DashboardSql.DaysOf(DateOnly.FromDateTime(from), DateOnly.FromDateTime(to.AddTicks(-1)))})";
        return "SELECT " +
            $"{traffic(current)} AS t, {traffic(previous)} AS tp, " +
            $"{visitors(range.From, range.To)} AS v, {visitors(previous.From!.Value, previous.Until!.Value)} AS vp, " +
            $"{pixel(current)} AS p, {pixel(previous)} AS pp, " +
            $"{events(current)} AS e, {events(previous)} AS ep FORMAT JSONEachRow";
    }

    // requests, bytes_sent, visitors, cache_hit_ratio, error_rate, pixel_hits, events
    private static object?[] Values(JsonElement traffic, JsonElement visitors, JsonElement pixel, JsonElement events)
    {
        long requests = ClickHouseRows.Long(traffic[0]);
        long status5xx = ClickHouseRows.Long(traffic[2]);
        long cacheHit = ClickHouseRows.Long(traffic[3]);
        long cacheTotal = ClickHouseRows.Long(traffic[4]);
        return
        [
            requests,
            ClickHouseRows.Long(traffic[1]),
            ClickHouseRows.Long(visitors),
            ClickHouseRows.Ratio(cacheHit, cacheTotal),
            ClickHouseRows.Ratio(status5xx, requests),
            ClickHouseRows.Long(pixel),
            ClickHouseRows.Long(events),
        ];
    }
}
