using System.Text;

namespace FastIngest.Core.ClickHouse;

/// <summary>
/// The one way user input enters SQL text. ClickHouse 18.16 has no query parameters, so values are
/// written as string literals with every byte that could end or bend the literal escaped.
/// </summary>
internal static class ClickHouseSql
{
    /// <summary>A single-quoted ClickHouse string literal whose value is exactly <paramref name="value"/>.</summary>
    public static string Quote(string value)
    {
        var literal = new StringBuilder(value.Length + 2);
        literal.Append('\'');
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\':
                    literal.Append(@"\\");
                    break;
                case '\'':
                    literal.Append(@"\'");
                    break;
                case < ' ' or '\x7f':
                    // Control characters as \xHH: newlines and NULs stay inside the literal, visibly.
                    literal.Append(@"\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    literal.Append(c);
                    break;
            }
        }

        return literal.Append('\'').ToString();
    }
}
