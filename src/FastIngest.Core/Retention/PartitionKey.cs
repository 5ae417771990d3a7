using System.Globalization;
using System.Text.RegularExpressions;

namespace FastIngest.Core.Retention;

/// <summary>
/// A table's partition key as retention needs it: the time column it is taken from, and how long a
/// partition lasts, so a partition id (<c>202611</c>, <c>20261126</c>) gives the time range it can hold.
/// </summary>
/// <remarks>
/// Read from <c>system.tables.partition_key</c> (18.16 and modern alike), so tables added later are found
/// without a list. Every table in <c>clickhouse/schema.sql</c> is <c>PARTITION BY toYYYYMM(col)</c>; a
/// day key (<c>toYYYYMMDD(col)</c>, or <c>toDate(col)</c>/a Date column, whose ids are YYYYMMDD) is read
/// too. Any other key is not one retention can reason about: such a table is left alone.
/// </remarks>
internal sealed partial record PartitionKey(string TimeColumn, PartitionSpan Span)
{
    /// <summary>Parses <c>toYYYYMM(minute)</c>, <c>toYYYYMMDD(time)</c>, <c>toDate(time)</c> or a bare column; false for anything else.</summary>
    public static bool TryParse(string expression, out PartitionKey key)
    {
        Match match = KeyExpression().Match(expression.Trim());
        if (!match.Success)
        {
            key = null!;
            return false;
        }

        string column = match.Groups["column"].Value;
        PartitionSpan span = match.Groups["function"].Value switch
        {
            "toYYYYMM" => PartitionSpan.Month,
            // A bare column is only a day when it is a Date; TryGetRange refuses ids of another shape.
            _ => PartitionSpan.Day,
        };
        key = new PartitionKey(column, span);
        return true;
    }

    /// <summary>The time range [start, end) partition <paramref name="partitionId"/> can hold, in UTC.</summary>
    public bool TryGetRange(string partitionId, out DateTime start, out DateTime end)
    {
        start = end = default;
        string format = Span == PartitionSpan.Month ? "yyyyMM" : "yyyyMMdd";
        if (partitionId.Length != format.Length
            || !DateTime.TryParseExact(partitionId, format, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out start))
        {
            return false;
        }

        end = Span == PartitionSpan.Month ? start.AddMonths(1) : start.AddDays(1);
        return true;
    }

    /// <summary>
    /// True when every row partition <paramref name="partitionId"/> can hold is older than
    /// <paramref name="cutoff"/>: its range ends at or before it. A partition still open to rows inside the
    /// window is never dropped, so an insert racing the drop can't lose a row that should stay.
    /// </summary>
    public bool IsExpired(string partitionId, DateTime cutoff) =>
        TryGetRange(partitionId, out _, out DateTime end) && end <= cutoff;

    [GeneratedRegex(@"^(?:(?<function>toYYYYMM|toYYYYMMDD|toDate)\(\s*`?(?<column>[A-Za-z_][A-Za-z0-9_]*)`?\s*\)|`?(?<column>[A-Za-z_][A-Za-z0-9_]*)`?)$")]
    private static partial Regex KeyExpression();
}
