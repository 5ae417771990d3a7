using System.Globalization;
using System.Text.Json;
using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>
/// Runs a dashboard query (its SQL ends in <c>FORMAT JSONEachRow</c>, which 18.16 and modern servers both
/// write) and hands back each row's values in column order.
/// </summary>
internal static class ClickHouseRows
{
    public static async Task<List<JsonElement[]>> QueryAsync(ClickHouseClient client, string sql, CancellationToken cancellationToken)
    {
        string body = await client.QueryTextAsync(sql, cancellationToken).ConfigureAwait(false);
        var rows = new List<JsonElement[]>();
        foreach (string line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument row = JsonDocument.Parse(line);
            rows.Add([.. row.RootElement.EnumerateObject().Select(p => p.Value.Clone())]);
        }

        return rows;
    }

    /// <summary>A UInt64 (quoted by default: <c>output_format_json_quote_64bit_integers</c>) or a smaller integer.</summary>
    public static long Long(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        JsonValueKind.Null => 0,
        _ => value.GetInt64(),
    };

    public static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    /// <summary><paramref name="part"/> / <paramref name="whole"/>, null when <paramref name="whole"/> is 0.</summary>
    public static double? Ratio(long part, long whole) => whole == 0 ? null : (double)part / whole;
}
