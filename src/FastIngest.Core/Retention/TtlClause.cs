using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FastIngest.Core.Retention;

/// <summary>
/// The table TTL FastIngest sets (<c>col + INTERVAL n DAY</c>), and the comparison with what the server
/// has, so an unchanged TTL is never set again: <c>MODIFY TTL</c> materializes the TTL (a mutation that
/// rewrites every part), far too heavy to run at each start on a big table.
/// </summary>
internal static partial class TtlClause
{
    /// <summary>The table TTL in <c>engine_full</c> (<c>… TTL minute + toIntervalDay(14) SETTINGS …</c>); empty when none.</summary>
    public static string FromEngineFull(string engineFull)
    {
        Match match = TtlInEngine().Match(engineFull);
        return match.Success ? match.Groups["ttl"].Value.Trim() : "";
    }

    /// <summary>What <c>MODIFY TTL</c> is given.</summary>
    public static string Expression(string timeColumn, int days) =>
        string.Create(CultureInfo.InvariantCulture, $"{timeColumn} + INTERVAL {days} DAY");

    /// <summary>
    /// True when <paramref name="current"/> (as the server prints it) is the TTL FastIngest would set: the
    /// server rewrites <c>INTERVAL n DAY</c> as <c>toIntervalDay(n)</c>, so both spellings match.
    /// </summary>
    public static bool Matches(string current, string timeColumn, int days)
    {
        string have = Normalize(current);
        return have == Normalize(string.Create(CultureInfo.InvariantCulture, $"{timeColumn} + toIntervalDay({days})"))
            || have == Normalize(Expression(timeColumn, days));
    }

    /// <summary>
    /// True when <paramref name="current"/> is a TTL of FastIngest's shape on <paramref name="timeColumn"/>
    /// (any number of days): one FastIngest set, so one it may also remove. Any other TTL is the operator's.
    /// </summary>
    public static bool IsOurs(string current, string timeColumn)
    {
        Match match = OurShape().Match(Normalize(current));
        return match.Success && match.Groups["column"].Value == timeColumn;
    }

    // Spaces and backquotes do not change a TTL's meaning; the server's printing of them varies by version.
    private static string Normalize(string ttl)
    {
        var text = new StringBuilder(ttl.Length);
        foreach (char c in ttl)
        {
            if (!char.IsWhiteSpace(c) && c != '`')
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    [GeneratedRegex(@"^(?<column>[A-Za-z_][A-Za-z0-9_]*)\+(?:toIntervalDay\((?<days>[0-9]+)\)|INTERVAL(?<days>[0-9]+)DAY)$")]
    private static partial Regex OurShape();

    [GeneratedRegex(@"\sTTL\s+(?<ttl>.+?)(?:\s+SETTINGS\s|$)", RegexOptions.Singleline)]
    private static partial Regex TtlInEngine();
}
