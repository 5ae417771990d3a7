using System.Globalization;
using System.Text.Json;
using ClickHouse.Driver;

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>
/// <c>visitors</c>: unique visitors per UTC day (<c>visitors_1d</c> counts daily-salted hashes per UTC day,
/// so a day of another zone cannot be had), every day the range touches, zeros included.
/// </summary>
internal static class VisitorsPanel
{
    public static readonly string[] Columns = ["day", "visitors"];

    public static string Sql(string database, PanelRequest request) =>
        $"SELECT toString(day) AS d, uniqMerge(visitors) AS visitors FROM {database}.visitors_1d " +
        $"WHERE {DashboardSql.TenantIs(request.Tenant)} AND {DashboardSql.DaysOf(request.Range)} GROUP BY d FORMAT JSONEachRow";

    public static async Task<PanelTable> QueryAsync(ClickHouseClient client, string database, PanelRequest request, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (JsonElement[] row in await ClickHouseRows.QueryAsync(client, Sql(database, request), cancellationToken).ConfigureAwait(false))
        {
            found[ClickHouseRows.Text(row[0])] = ClickHouseRows.Long(row[1]);
        }

        var rows = new List<object?[]>();
        (DateOnly first, DateOnly last) = request.Range.UtcDays;
        for (DateOnly day = first; day <= last; day = day.AddDays(1))
        {
            string key = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            rows.Add([key, found.GetValueOrDefault(key)]);
        }

        return new PanelTable("day", Columns, rows);
    }
}
