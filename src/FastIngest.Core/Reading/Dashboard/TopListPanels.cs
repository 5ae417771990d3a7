using System.Text.Json;
using ClickHouse.Driver;

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>
/// The ranked panels: top files (<c>paths_1h</c>/<c>paths_1d</c>, by requests or by body bytes), pixel keys,
/// event types, event paths, refusals (<c>ingest_errors</c>) and devices (<c>agents_1d</c>). At most the request's limit (≤ 100) rows,
/// ties broken by name so an answer is stable.
/// </summary>
internal static class TopListPanels
{
    public static readonly string[] FileColumns = ["path", "requests", "body_bytes_sent"];

    public static Task<PanelTable> FilesAsync(ClickHouseClient client, string database, PanelRequest request, bool byBytes, CancellationToken cancellationToken) =>
        RunAsync(client, FilesSql(database, request, byBytes), FileColumns, cancellationToken);

    public static Task<PanelTable> PixelAsync(ClickHouseClient client, string database, PanelRequest request, CancellationToken cancellationToken) =>
        RunAsync(client, CountSql(database, request, "pixel", "key", "hits"), ["key", "hits"], cancellationToken);

    public static Task<PanelTable> EventsAsync(ClickHouseClient client, string database, PanelRequest request, CancellationToken cancellationToken) =>
        RunAsync(client, CountSql(database, request, "events", "event_type", "events"), ["event_type", "events"], cancellationToken);

    public static Task<PanelTable> EventPathsAsync(ClickHouseClient client, string database, PanelRequest request, CancellationToken cancellationToken) =>
        RunAsync(client, CountSql(database, request, "events", "path", "events"), ["path", "events"], cancellationToken);

    public static readonly string[] DeviceColumns = ["device", "hits", "visitors"];

    /// <summary>
    /// People's hits and unique visitors per device class (issue 18; bots are left out, as they are out of
    /// visitors), over the UTC days the range touches: <c>agents_1d</c> has days only, like <c>visitors_1d</c>.
    /// </summary>
    public static Task<PanelTable> DevicesAsync(ClickHouseClient client, string database, PanelRequest request, CancellationToken cancellationToken) =>
        RunAsync(client, DevicesSql(database, request), DeviceColumns, cancellationToken);

    public static string DevicesSql(string database, PanelRequest request) =>
        $"SELECT device, sumMerge(hits) AS hits, uniqMerge(visitors) AS visitors FROM {database}.agents_1d " +
        $"WHERE {DashboardSql.TenantIs(request.Tenant)} AND is_bot = 0 AND {DashboardSql.DaysOf(request.Range)} " +
        $"GROUP BY device ORDER BY hits DESC, device LIMIT {request.Limit} FORMAT JSONEachRow";

    public static Task<PanelTable> RefusalsAsync(ClickHouseClient client, string database, PanelRequest request, CancellationToken cancellationToken)
    {
        DashboardRange range = request.Range;
        string sql = $"SELECT reason, sum(count) AS refused FROM {database}.ingest_errors WHERE {DashboardSql.TenantIs(request.Tenant)} " +
            $"AND time >= {DashboardSql.Time(range.From)} AND time < {DashboardSql.Time(range.To)} " +
            $"GROUP BY reason ORDER BY refused DESC, reason LIMIT {request.Limit} FORMAT JSONEachRow";
        return RunAsync(client, sql, ["reason", "count"], cancellationToken);
    }

    /// <summary>paths_1h has no minutes: a range shorter than an hour's edges reads the whole hours it touches.</summary>
    public static string FilesSql(string database, PanelRequest request, bool byBytes)
    {
        RollupRange range = request.Range.Hours;
        string order = byBytes ? "body_bytes_sent DESC, requests DESC" : "requests DESC, body_bytes_sent DESC";
        return $"SELECT path, sumMerge(requests) AS requests, sumMerge(body_bytes_sent) AS body_bytes_sent " +
            $"FROM {database}.{range.Table("paths")} WHERE {DashboardSql.TenantIs(request.Tenant)} AND {range.Condition()} " +
            $"GROUP BY path ORDER BY {order}, path LIMIT {request.Limit} FORMAT JSONEachRow";
    }

    public static string CountSql(string database, PanelRequest request, string family, string name, string counter)
    {
        RollupRange range = request.Range.Rollup;
        return $"SELECT {name}, sum({counter}) AS counted FROM {database}.{range.Table(family)} " +
            $"WHERE {DashboardSql.TenantIs(request.Tenant)} AND {range.Condition()} " +
            $"GROUP BY {name} ORDER BY counted DESC, {name} LIMIT {request.Limit} FORMAT JSONEachRow";
    }

    private static async Task<PanelTable> RunAsync(ClickHouseClient client, string sql, string[] columns, CancellationToken cancellationToken)
    {
        var rows = new List<object?[]>();
        foreach (JsonElement[] row in await ClickHouseRows.QueryAsync(client, sql, cancellationToken).ConfigureAwait(false))
        {
            object?[] cells = new object?[row.Length];
            cells[0] = ClickHouseRows.Text(row[0]);
            for (int i = 1; i < row.Length; i++)
            {
                cells[i] = ClickHouseRows.Long(row[i]);
            }

            rows.Add(cells);
        }

        return new PanelTable(null, columns, rows);
    }
}
