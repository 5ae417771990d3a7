using System.Globalization;
using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Reading.Dashboard;

namespace FastIngest.Server.Dashboard;

/// <summary>
/// Reads and checks a panel request's query string: <c>from</c> and <c>to</c> (ISO 8601, strictly), <c>tz</c>
/// (an IANA name), <c>limit</c> (1 to 100). Every error is a message for a 400; nothing unchecked reaches SQL.
/// </summary>
internal static class PanelParameters
{
    /// <summary>Longest <c>from</c>/<c>to</c> text looked at (the longest accepted form is 33 characters).</summary>
    private const int MaxTimeLength = 40;

    // With an offset (Z or ±hh:mm): that instant.
    private static readonly string[] s_withOffset =
    [
        "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
    ];

    private static readonly string[] s_utc =
    [
        "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
    ];

    // Without one: a wall-clock time (or a date's midnight) in the request's time zone.
    private static readonly string[] s_local =
    [
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
    ];

    // DateTime('UTC') holds 1970 to 2105; a range outside cannot be asked.
    private static readonly DateTime s_earliest = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime s_latest = new(2105, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static bool IsValidTenant(string? tenant) =>
        tenant is not null && tenant.Length <= NameRules.MaxLength && NameRules.IsValid(Encoding.UTF8.GetBytes(tenant));

    /// <summary>The request, or null and the <paramref name="error"/> to answer with.</summary>
    public static PanelRequest? TryRead(string tenant, IQueryCollection query, out string? error)
    {
        if (!DashboardTimeZone.TryFind(query["tz"], out DashboardTimeZone zone))
        {
            error = "Invalid tz: expected an IANA time zone name, e.g. Europe/Berlin";
            return null;
        }

        if (!TryParseTime(query["from"], zone, out DateTime from))
        {
            error = "Invalid from: expected ISO 8601, e.g. 2026-11-25T00:00:00Z";
            return null;
        }

        if (!TryParseTime(query["to"], zone, out DateTime to))
        {
            error = "Invalid to: expected ISO 8601, e.g. 2026-11-26T00:00:00Z";
            return null;
        }

        if (!TryParseLimit(query["limit"], PanelRequest.DefaultLimit, PanelRequest.MaxLimit, out int limit))
        {
            error = $"Invalid limit: expected 1 to {PanelRequest.MaxLimit}";
            return null;
        }

        DashboardRange? range = DashboardRange.TryCreate(from, to, zone, out error);
        return range is null ? null : new PanelRequest(tenant, range, limit);
    }

    /// <summary>An ISO 8601 time as UTC; without an offset it is a wall-clock time in <paramref name="zone"/>.</summary>
    public static bool TryParseTime(string? text, DashboardTimeZone zone, out DateTime utc)
    {
        utc = default;
        if (string.IsNullOrEmpty(text) || text.Length > MaxTimeLength)
        {
            return false;
        }

        if (DateTimeOffset.TryParseExact(text, s_withOffset, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset withOffset))
        {
            utc = withOffset.UtcDateTime;
        }
        else if (DateTime.TryParseExact(text, s_utc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTime inUtc))
        {
            utc = inUtc;
        }
        else if (DateTime.TryParseExact(text, s_local, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime local))
        {
            if (zone.Zone.IsInvalidTime(local))
            {
                // A wall-clock time the zone skips (a spring-forward hour) names no instant.
                return false;
            }

            utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone.Zone);
        }
        else
        {
            return false;
        }

        return utc >= s_earliest && utc < s_latest;
    }

    /// <summary>An optional integer from 1 to <paramref name="max"/>, <paramref name="fallback"/> when absent.</summary>
    public static bool TryParseLimit(string? text, int fallback, int max, out int limit)
    {
        limit = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= max;
    }
}
