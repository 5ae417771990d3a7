using System.Globalization;
using System.Text;

namespace FastIngest.Tests.Parsing.Agents;

/// <summary>
/// user-agents.tsv: one real agent a line with what it should read as. Agents are escaped (<c>\t</c>,
/// <c>\\</c>, <c>\xHH</c>) so the corpus's tab and control byte survive a tab-separated file.
/// <para>
/// Sources of the agents: every distinct agent of the real NGINX 1.22 corpus (tests/data/access.json.log)
/// and of LoadGen's Workload; the crawler operators' own documentation (Google, Bing, Yandex, Baidu,
/// Apple, OpenAI, Anthropic, Common Crawl, Petal, Amazon, Ahrefs, Semrush, Moz, Majestic); the default
/// agents of the libraries and tools as they send them; browsers as they ship (Chrome's reduced
/// agent with 0.0.0, Safari's Version/, Firefox's rv:, Samsung/UC/Yandex/Opera/Edge tokens), in-app web
/// views and headless browsers as seen in access logs.
/// </para>
/// </summary>
internal static class UserAgentTable
{
    public sealed record Row(int Line, string Escaped, byte[] Agent, string Browser, int Major, string Os, string Device, string Bot);

    public static IReadOnlyList<Row> Rows { get; } = Load();

    private static List<Row> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Parsing", "Agents", "user-agents.tsv");
        var rows = new List<Row>();
        string[] lines = File.ReadAllLines(path, Encoding.UTF8);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0 || lines[i].StartsWith('#'))
            {
                continue;
            }

            string[] f = lines[i].Split('\t');
            if (f.Length != 6)
            {
                throw new InvalidDataException($"user-agents.tsv line {i + 1}: {f.Length} fields, not 6");
            }

            rows.Add(new Row(i + 1, f[0], Unescape(f[0]), f[1], int.Parse(f[2], CultureInfo.InvariantCulture), f[3], f[4], f[5]));
        }

        return rows;
    }

    private static byte[] Unescape(string escaped)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] != '\\')
            {
                int end = i + (char.IsHighSurrogate(escaped[i]) ? 2 : 1);
                bytes.AddRange(Encoding.UTF8.GetBytes(escaped[i..end]));
                i = end - 1;
                continue;
            }

            char next = escaped[++i];
            switch (next)
            {
                case 't':
                    bytes.Add((byte)'\t');
                    break;
                case '\\':
                    bytes.Add((byte)'\\');
                    break;
                case 'x':
                    bytes.Add(byte.Parse(escaped.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                default:
                    throw new InvalidDataException("unknown escape \\" + next);
            }
        }

        return [.. bytes];
    }
}
