using System.Globalization;
using System.Text;
using FastIngest.Core.Reading.Dashboard;

namespace FastIngest.Server.Dashboard;

/// <summary>
/// A panel as CSV (RFC 4180): a header row of the columns, then the rows, CRLF line ends; a field with a
/// comma, a quote, CR or LF is quoted with its quotes doubled. A text cell that a spreadsheet would read as
/// a formula (first character <c>= + - @</c>, tab or CR; paths and keys come from anyone who can send a
/// request) gets a leading apostrophe, the OWASP advice, so it opens as text. Numbers are written as numbers.
/// </summary>
internal static class PanelCsv
{
    public static string Write(PanelTable table)
    {
        var csv = new StringBuilder();
        AppendRow(csv, table.Columns.Cast<object?>());
        foreach (object?[] row in table.Rows)
        {
            AppendRow(csv, row);
        }

        return csv.ToString();
    }

    /// <summary>One cell's text, neutralized and quoted as needed.</summary>
    public static string Field(object? value) => value switch
    {
        null => "",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => Quote(Neutralize(s)),
        _ => Quote(Neutralize(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")),
    };

    /// <summary>A text that would start a formula, prefixed with an apostrophe.</summary>
    public static string Neutralize(string text) =>
        text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    private static void AppendRow(StringBuilder csv, IEnumerable<object?> cells)
    {
        bool first = true;
        foreach (object? cell in cells)
        {
            if (!first)
            {
                csv.Append(',');
            }

            csv.Append(Field(cell));
            first = false;
        }

        csv.Append("\r\n");
    }
}
