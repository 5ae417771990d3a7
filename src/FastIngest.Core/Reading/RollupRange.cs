using System.Globalization;

namespace FastIngest.Core.Reading;

/// <summary>
/// A time range to read, [From, Until) in UTC with either end open, and the coarsest table that answers
/// it exactly: whole UTC days read <c>X_1d</c>, whole hours <c>X_1h</c>, anything else <c>X_1m</c>. The
/// coarser table holds the same sums (the rollup views see every insert the minute table sees), in 1/60
/// or 1/1440 of the rows. A range is not split into a minute head, an hour or day middle and a minute
/// tail: every reader asks whole days or all time today, and a split would make each query a UNION of
/// three; the minute table answers a ragged range exactly, only slower.
/// </summary>
internal sealed class RollupRange
{
    /// <summary>All rows: the day tables answer it.</summary>
    public static readonly RollupRange AllTime = new(null, null);

    public RollupRange(DateTime? from, DateTime? until)
    {
        if (from is { Kind: not DateTimeKind.Utc } || until is { Kind: not DateTimeKind.Utc })
        {
            throw new ArgumentException("A range is given in UTC.");
        }

        if (from >= until)
        {
            throw new ArgumentException($"An empty range: {from:O} is not before {until:O}.");
        }

        From = from;
        Until = until;
        Grain = IsAligned(from, TimeSpan.TicksPerDay) && IsAligned(until, TimeSpan.TicksPerDay) ? TimeGrain.Day
            : IsAligned(from, TimeSpan.TicksPerHour) && IsAligned(until, TimeSpan.TicksPerHour) ? TimeGrain.Hour
            : TimeGrain.Minute;
    }

    public DateTime? From { get; }

    public DateTime? Until { get; }

    public TimeGrain Grain { get; }

    /// <summary>The time column of <see cref="Grain"/>'s tables: <c>minute</c>, <c>hour</c> (DateTime) or <c>day</c> (Date).</summary>
    public string TimeColumn => Grain switch
    {
        TimeGrain.Day => "day",
        TimeGrain.Hour => "hour",
        _ => "minute",
    };

    /// <summary>One whole UTC day.</summary>
    public static RollupRange Day(DateOnly date)
    {
        DateTime start = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        return new RollupRange(start, start.AddDays(1));
    }

    /// <summary>The table of <paramref name="family"/> (<c>traffic</c>, <c>status</c>, <c>pixel</c>, <c>events</c>) to read.</summary>
    public string Table(string family) => Grain switch
    {
        TimeGrain.Day => family + "_1d",
        TimeGrain.Hour => family + "_1h",
        _ => family + "_1m",
    };

    /// <summary>The range as a SQL condition on <see cref="TimeColumn"/> (<c>1</c> for all time).</summary>
    public string Condition()
    {
        string from = From is { } f ? $"{TimeColumn} >= {Literal(f)}" : "";
        string until = Until is { } u ? $"{TimeColumn} < {Literal(u)}" : "";
        return (from, until) switch
        {
            ("", "") => "1",
            (_, "") => from,
            ("", _) => until,
            _ => from + " AND " + until,
        };
    }

    private string Literal(DateTime time) => Grain == TimeGrain.Day
        ? $"toDate('{time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}')"
        : $"toDateTime('{time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}', 'UTC')";

    // An open end (null) fits every grain: nothing before or after it is cut.
    private static bool IsAligned(DateTime? time, long ticks) => time is not { } t || t.Ticks % ticks == 0;
}
