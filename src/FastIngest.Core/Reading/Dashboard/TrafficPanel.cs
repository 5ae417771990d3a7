using System.Text.Json;
using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>
/// <c>traffic</c>: requests and bytes per bucket, every bucket present. Minutes from <c>traffic_1m</c>, hours
/// from <c>traffic_1h</c>, days from <c>traffic_1d</c> in UTC and from <c>traffic_1h</c> grouped by the zone's
/// date elsewhere. The zero buckets are filled here: 18.16 has no <c>WITH FILL</c>.
/// </summary>
internal static class TrafficPanel
{
    public static readonly string[] Columns = ["time", "requests", "bytes_sent"];

    public static async Task<PanelTable> QueryAsync(ClickHouseClient client, string database, PanelRequest request, CancellationToken cancellationToken)
    {
        string sql = Sql(database, request);
        var found = new Dictionary<string, (long Requests, long Bytes)>(StringComparer.Ordinal);
        foreach (JsonElement[] row in await ClickHouseRows.QueryAsync(client, sql, cancellationToken).ConfigureAwait(false))
        {
            found[ClickHouseRows.Text(row[0])] = (ClickHouseRows.Long(row[1]), ClickHouseRows.Long(row[2]));
        }

        var rows = new List<object?[]>();
        foreach ((_, string key, string label) in request.Range.Buckets())
        {
            (long requests, long bytes) = found.GetValueOrDefault(key);
            rows.Add([label, requests, bytes]);
        }

        return new PanelTable(GrainName(request.Range.Grain), Columns, rows);
    }

    public static string GrainName(TimeGrain grain) => grain switch
    {
        TimeGrain.Minute => "minute",
        TimeGrain.Hour => "hour",
        _ => "day",
    };

    /// <summary>The query: bucket key (as <see cref="DashboardRange.Buckets"/> writes it), requests, bytes_sent.</summary>
    public static string Sql(string database, PanelRequest request)
    {
        DashboardRange range = request.Range;
        string tenant = DashboardSql.TenantIs(request.Tenant);
        string within(string column) => $"{column} >= {DashboardSql.Time(range.From)} AND {column} < {DashboardSql.Time(range.To)}";
        (string table, string key, string where) = range.Grain switch
        {
            TimeGrain.Minute => ("traffic_1m", "toString(toUnixTimestamp(minute))", within("minute")),
            TimeGrain.Hour => ("traffic_1h", "toString(toUnixTimestamp(hour))", within("hour")),
            _ when range.Zone.IsUtc => ("traffic_1d", "toString(day)", $"day >= {DashboardSql.Date(DateOnly.FromDateTime(range.From))} AND day < {DashboardSql.Date(DateOnly.FromDateTime(range.To))}"),
            _ => ("traffic_1h", $"toString(toDate(hour, {ClickHouseSql.Quote(range.Zone.Id)}))", within("hour")),
        };
        return $"SELECT {key} AS bucket, sum(requests) AS requests, sum(bytes_sent) AS bytes_sent FROM {database}.{table} " +
            $"WHERE {tenant} AND {where} GROUP BY bucket FORMAT JSONEachRow";
    }
}
