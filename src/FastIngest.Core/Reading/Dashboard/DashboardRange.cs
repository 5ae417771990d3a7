using System.Globalization;

namespace FastIngest.Core.Reading.Dashboard;

/// <summary>
/// The range a panel answers: the asked [from, to) widened to whole buckets of the grain its length
/// chooses (≤ 6 h minutes, ≤ 14 d hours, else days of the time zone), so every panel of one view reads
/// the same whole buckets, the sum of <c>traffic</c>'s buckets equals <c>summary</c>'s requests, and
/// <see cref="RollupRange"/> finds an hour or day table for anything longer than six hours (minute
/// tables keep 14 days, hour tables 400). The answer names the widened range.
/// </summary>
internal sealed class DashboardRange
{
    public const int MaxDays = 400;

    public static readonly TimeSpan MinuteGrainUpTo = TimeSpan.FromHours(6);

    public static readonly TimeSpan HourGrainUpTo = TimeSpan.FromDays(14);

    private DashboardRange(DateTime from, DateTime to, TimeGrain grain, DashboardTimeZone zone)
    {
        From = from;
        To = to;
        Grain = grain;
        Zone = zone;
    }

    /// <summary>Start of the first bucket, UTC.</summary>
    public DateTime From { get; }

    /// <summary>End of the last bucket (exclusive), UTC.</summary>
    public DateTime To { get; }

    public TimeGrain Grain { get; }

    public DashboardTimeZone Zone { get; }

    /// <summary>The same-length period just before this one (for <c>summary</c>'s <c>previous</c>).</summary>
    public RollupRange Previous => new(From - (To - From), From);

    /// <summary>The range as the rollup tables read it.</summary>
    public RollupRange Rollup => new(From, To);

    /// <summary>The range widened to whole UTC hours (<c>paths_1h</c> has no minutes).</summary>
    public RollupRange Hours => new(FloorHour(From), CeilHour(To));

    /// <summary>The UTC days the range touches, first and last inclusive (<c>visitors_1d</c> has UTC days).</summary>
    public (DateOnly First, DateOnly Last) UtcDays => (DateOnly.FromDateTime(From), DateOnly.FromDateTime(To.AddTicks(-1)));

    /// <summary>The grain a range of <paramref name="length"/> is shown in.</summary>
    public static TimeGrain GrainFor(TimeSpan length) =>
        length <= MinuteGrainUpTo ? TimeGrain.Minute : length <= HourGrainUpTo ? TimeGrain.Hour : TimeGrain.Day;

    /// <summary>The range for [<paramref name="from"/>, <paramref name="to"/>) (UTC), or an error message.</summary>
    public static DashboardRange? TryCreate(DateTime from, DateTime to, DashboardTimeZone zone, out string? error)
    {
        error = null;
        if (from.Kind != DateTimeKind.Utc || to.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("A range is given in UTC.");
        }

        if (to <= from)
        {
            error = "Invalid range: to must be after from";
            return null;
        }

        if (to - from > TimeSpan.FromDays(MaxDays))
        {
            error = $"Invalid range: at most {MaxDays} days";
            return null;
        }

        TimeGrain grain = GrainFor(to - from);
        var range = new DashboardRange(from, to, grain, zone);
        DateTime first = range.BucketOf(from);
        DateTime last = range.BucketOf(to.AddTicks(-1));
        return new DashboardRange(first, range.Next(last), grain, zone);
    }

    /// <summary>
    /// Every bucket of the range: its start (UTC), its key as the panel's SQL writes it (Unix seconds for
    /// minutes and hours, the zone's date for days) and its label (ISO 8601 in the zone).
    /// </summary>
    public IReadOnlyList<(DateTime Start, string Key, string Label)> Buckets()
    {
        var buckets = new List<(DateTime, string, string)>();
        for (DateTime start = From; start < To; start = Next(start))
        {
            string key = Grain == TimeGrain.Day
                ? Zone.DateOf(start).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : new DateTimeOffset(start).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            DateTime label = Grain == TimeGrain.Day ? Zone.MidnightUtc(Zone.DateOf(start)) : start;
            buckets.Add((start, key, Zone.Format(label)));
        }

        return buckets;
    }

    /// <summary>
    /// The bucket holding <paramref name="time"/>. Minutes and hours are UTC's (the tables'); a day is the
    /// zone's, starting at the first whole UTC hour at or after its midnight, so that the hour rows
    /// <c>toDate(hour, tz)</c> puts in that day are exactly the ones from its start on, even in zones whose
    /// offset is not whole hours.
    /// </summary>
    private DateTime BucketOf(DateTime time)
    {
        switch (Grain)
        {
            case TimeGrain.Minute:
                return new DateTime(time.Ticks - (time.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
            case TimeGrain.Hour:
                return FloorHour(time);
            default:
                DateOnly date = Zone.DateOf(time);
                DateTime start = DayStart(date);
                return time >= start ? start : DayStart(date.AddDays(-1));
        }
    }

    private DateTime Next(DateTime bucket) => Grain switch
    {
        TimeGrain.Minute => bucket.AddMinutes(1),
        TimeGrain.Hour => bucket.AddHours(1),
        _ => DayStart(Zone.DateOf(bucket).AddDays(1)),
    };

    private DateTime DayStart(DateOnly date) => CeilHour(Zone.MidnightUtc(date));

    private static DateTime FloorHour(DateTime time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc);

    private static DateTime CeilHour(DateTime time) => time.Ticks % TimeSpan.TicksPerHour == 0 ? time : FloorHour(time).AddHours(1);
}
