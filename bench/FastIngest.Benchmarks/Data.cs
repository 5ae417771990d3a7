using System.Text;

namespace FastIngest.Benchmarks;

/// <summary>
/// Benchmark inputs: the real NGINX 1.22 lines and datagrams of tests/data, varied deterministically
/// (tenants, statuses, paths) and scaled up so one invocation sees a realistic mix.
/// </summary>
public static class Data
{
    public const int Lines = 4096;

    private static readonly string[] s_corpusLines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "data", "access.json.log"));

    /// <summary>JSON lines, UTF-8, no newline.</summary>
    public static byte[][] JsonLines { get; } = Build(static (line, i) => Vary(line, i));

    /// <summary>Syslog datagrams as NGINX sends them, with and without the hostname.</summary>
    public static byte[][] Datagrams { get; } = Build(static (line, i) =>
        (i % 2 == 0 ? $"<190>Nov 22 23:42:25 vm tenant{i % 50}: " : $"<190>Nov 22 23:42:25 tenant{i % 50}: ") + Vary(line, i));

    public static string Tenant(int i) => "tenant" + (i % 50);

    private static string Vary(string line, int i)
    {
        string[] statuses = ["200", "200", "200", "304", "404", "206", "500"];
        return line
            .Replace("\"status\":\"200\"", $"\"status\":\"{statuses[i % statuses.Length]}\"", StringComparison.Ordinal)
            .Replace("/media/", $"/media/{i % 97}/", StringComparison.Ordinal);
    }

    private static byte[][] Build(Func<string, int, string> make)
    {
        var result = new byte[Lines][];
        for (int i = 0; i < Lines; i++)
        {
            result[i] = Encoding.UTF8.GetBytes(make(s_corpusLines[i % s_corpusLines.Length], i));
        }

        return result;
    }
}
