using System.Text.Json;
using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>
/// <c>/api/v1/tenants</c>: the names with rows in the day tables of traffic, pixel hits or events, sorted,
/// optionally by prefix, at most <c>limit</c> (one more is asked to know whether the list was cut).
/// </summary>
internal static class TenantList
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 1000;

    public static string Sql(string database, string? prefix, int limit)
    {
        string where = string.IsNullOrEmpty(prefix) ? "" : $" WHERE startsWith(tenant, {ClickHouseSql.Quote(prefix)})";
        string from(string table) => $"SELECT DISTINCT tenant FROM {database}.{table}{where}";
        return $"SELECT tenant FROM ({from("traffic_1d")} UNION ALL {from("pixel_1d")} UNION ALL {from("events_1d")}) " +
            $"GROUP BY tenant ORDER BY tenant LIMIT {limit + 1} FORMAT JSONEachRow";
    }

    public static async Task<(IReadOnlyList<string> Tenants, bool Truncated)> QueryAsync(
        ClickHouseClient client, string database, string? prefix, int limit, CancellationToken cancellationToken)
    {
        List<JsonElement[]> rows = await ClickHouseRows.QueryAsync(client, Sql(database, prefix, limit), cancellationToken).ConfigureAwait(false);
        List<string> names = [.. rows.Take(limit).Select(r => ClickHouseRows.Text(r[0]))];
        return (names, rows.Count > limit);
    }
}
