using System.Text.Json;
using ClickHouse.Driver;

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>
/// <c>sources</c>: where visits came from (<c>referrers_1d</c>, issue 18): the top referrers by visits over
/// the UTC days the range touches (the table is per UTC day, like <c>visitors_1d</c>), with their source
/// group and unique visitors. At most the request's limit (≤ 100) rows, ties broken by group name and host.
/// </summary>
internal static class SourcesPanel
{
    public static readonly string[] Columns = ["source_group", "host", "visits", "visitors"];

    public static string Sql(string database, PanelRequest request) =>
        $"SELECT toString(source_group) AS g, host, sumMerge(visits) AS v, uniqIfMerge(visitors) AS u " +
        $"FROM {database}.referrers_1d WHERE {DashboardSql.TenantIs(request.Tenant)} AND {DashboardSql.DaysOf(request.Range)} " +
        $"GROUP BY g, host ORDER BY v DESC, g, host LIMIT {request.Limit} FORMAT JSONEachRow";

    public static async Task<PanelTable> QueryAsync(ClickHouseClient client, string database, PanelRequest request, CancellationToken cancellationToken)
    {
        var rows = new List<object?[]>();
        foreach (JsonElement[] row in await ClickHouseRows.QueryAsync(client, Sql(database, request), cancellationToken).ConfigureAwait(false))
        {
            rows.Add([ClickHouseRows.Text(row[0]), ClickHouseRows.Text(row[1]), ClickHouseRows.Long(row[2]), ClickHouseRows.Long(row[3])]);
        }

        return new PanelTable(null, Columns, rows);
    }
}
