using System.Globalization;
using System.Text.Json;
using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;

namespace FastIngest.Core.Reading;

/// <summary>What <c>GET /stats</c> answers for one site.</summary>
internal sealed record SiteStats(long TotalViews, long UniqueUsers, IReadOnlyList<(string Path, long Views)> TopPaths)
{
    public const string PageView = "page_view";
    public const int TopPathCount = 10;

    /// <summary>
    /// One query for all three numbers: page views and top paths from the events table
    /// <see cref="RollupRange"/> chooses (<c>events_1d</c>: a whole UTC day when <paramref name="date"/> is
    /// given, all time otherwise), unique users from <c>users_1d</c>.
    /// </summary>
    public static async Task<SiteStats> QueryAsync(ClickHouseClient client, string database, string siteId, DateOnly? date, CancellationToken cancellationToken)
    {
        string site = ClickHouseSql.Quote(siteId);
        RollupRange range = date is { } d ? RollupRange.Day(d) : RollupRange.AllTime;
        string views = $"FROM {database}.{range.Table("events")} WHERE tenant = {site} AND event_type = '{PageView}' AND {range.Condition()}";
        string users = $"FROM {database}.users_1d WHERE tenant = {site} AND {range.Condition()}";
        string sql =
            $"SELECT (SELECT sum(events) {views}) AS total_views, " +
            $"(SELECT uniqMerge(users) {users}) AS unique_users, " +
            $"(SELECT groupArray(tuple(path, path_views)) FROM (SELECT path, sum(events) AS path_views {views} " +
            $"GROUP BY path ORDER BY path_views DESC, path LIMIT {TopPathCount})) AS top_paths FORMAT JSONEachRow";

        string body = await client.QueryTextAsync(sql, cancellationToken).ConfigureAwait(false);
        using JsonDocument row = JsonDocument.Parse(body);
        JsonElement root = row.RootElement;
        var top = new List<(string, long)>();
        foreach (JsonElement pair in root.GetProperty("top_paths").EnumerateArray())
        {
            top.Add((pair[0].GetString() ?? "", Number(pair[1])));
        }

        return new SiteStats(Number(root.GetProperty("total_views")), Number(root.GetProperty("unique_users")), top);
    }

    // 64-bit numbers come quoted in JSON output by default (output_format_json_quote_64bit_integers).
    private static long Number(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt64();
}
