using System.Text.RegularExpressions;

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>
/// A time zone the dashboard may group by: an IANA name this machine's tz database knows (so .NET and
/// ClickHouse, which read the same database, agree on its offsets). The name goes into SQL quoted, and
/// only after it matched the pattern and was found, so the set of accepted values is the tz database's.
/// </summary>
internal sealed partial class DashboardTimeZone
{
    public static readonly DashboardTimeZone Utc = new("UTC", TimeZoneInfo.Utc);

    private DashboardTimeZone(string id, TimeZoneInfo zone)
    {
        Id = id;
        Zone = zone;
    }

    /// <summary>The IANA name as asked (<c>Europe/Berlin</c>, <c>UTC</c>).</summary>
    public string Id { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>True for UTC: the day tables (UTC days) answer a day grain directly.</summary>
    public bool IsUtc => Zone.BaseUtcOffset == TimeSpan.Zero && !Zone.SupportsDaylightSavingTime;

    /// <summary>The zone named <paramref name="id"/>; false for anything that is not a known IANA name.</summary>
    public static bool TryFind(string? id, out DashboardTimeZone zone)
    {
        zone = Utc;
        if (string.IsNullOrEmpty(id) || id == "UTC")
        {
            return true;
        }

        if (id.Length > 64 || !IanaName().IsMatch(id))
        {
            return false;
        }

        try
        {
            TimeZoneInfo found = TimeZoneInfo.FindSystemTimeZoneById(id);
            // Windows names (and their conversions) would not be understood by ClickHouse.
            if (!found.HasIanaId)
            {
                return false;
            }

            zone = new DashboardTimeZone(id, found);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    /// <summary>The UTC instant of local <paramref name="date"/>'s midnight (or the first local time after it, where midnight is skipped).</summary>
    public DateTime MidnightUtc(DateOnly date)
    {
        DateTime local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (Zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, Zone);
    }

    /// <summary>The local date of <paramref name="utc"/>.</summary>
    public DateOnly DateOf(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, Zone));

    /// <summary>ISO 8601 with the zone's offset at that instant (<c>Z</c> for offset zero): <c>2026-11-25T01:00:00+01:00</c>.</summary>
    public string Format(DateTime utc)
    {
        TimeSpan offset = Zone.GetUtcOffset(utc);
        var local = new DateTimeOffset(new DateTime(utc.Ticks + offset.Ticks, DateTimeKind.Unspecified), offset);
        return offset == TimeSpan.Zero
            ? local.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)
            : local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
    }

    // Area/Location[/Sub], Etc/GMT+5, UTC-like short names; letters, digits, _ + - only.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex IanaName();
}
