using System.Text.Json;
using ClickHouse.Driver;

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>
/// <c>status</c> and <c>cache</c>: a fixed list of rows (all five classes, all seven cache statuses, zeros
/// included), summed from the traffic table that answers the range exactly.
/// </summary>
internal static class BreakdownPanels
{
    public static readonly string[] StatusColumns = ["class", "requests"];

    public static readonly string[] CacheColumns = ["status", "requests"];

    public static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    public static readonly string[] CacheStatuses = ["hit", "miss", "expired", "stale", "updating", "revalidated", "bypass"];

    public static Task<PanelTable> StatusAsync(ClickHouseClient client, string database, PanelRequest request, CancellationToken cancellationToken) =>
        SumsAsync(client, database, request, StatusColumns, StatusClasses, "status_", cancellationToken);

    public static Task<PanelTable> CacheAsync(ClickHouseClient client, string database, PanelRequest request, CancellationToken cancellationToken) =>
        SumsAsync(client, database, request, CacheColumns, CacheStatuses, "cache_", cancellationToken);

    public static string Sql(string database, PanelRequest request, IReadOnlyList<string> names, string prefix)
    {
        RollupRange range = request.Range.Rollup;
        string sums = string.Join(", ", names.Select(n => $"sum({prefix}{n}) AS {prefix}{n}"));
        return $"SELECT {sums} FROM {database}.{range.Table("traffic")} WHERE {DashboardSql.TenantIs(request.Tenant)} AND {range.Condition()} FORMAT JSONEachRow";
    }

    private static async Task<PanelTable> SumsAsync(
        ClickHouseClient client, string database, PanelRequest request, string[] columns, string[] names, string prefix, CancellationToken cancellationToken)
    {
        List<JsonElement[]> result = await ClickHouseRows.QueryAsync(client, Sql(database, request, names, prefix), cancellationToken).ConfigureAwait(false);
        var rows = new List<object?[]>();
        for (int i = 0; i < names.Length; i++)
        {
            rows.Add([names[i], result.Count == 0 ? 0L : ClickHouseRows.Long(result[0][i])]);
        }

        return new PanelTable(null, columns, rows);
    }
}
