using System.Globalization;

namespace FastIngest.LoadGen;

/// <summary>
/// One scrape of the server's <c>GET /metrics</c> (Prometheus text): every sample by its series
/// (<c>name{labels}</c> exactly as written). Reasons and sources are read, never assumed, so a
/// defence added later shows up under its own name without a change here.
/// </summary>
internal sealed class MetricsSnapshot(Dictionary<string, double> samples)
{
    /// <summary>The families whose movement means the server is still working through what was sent.</summary>
    private static readonly string[] s_progress =
    [
        "fastingest_lines_counted_total", "fastingest_events_counted_total", "fastingest_rejected_total",
        "fastingest_pixel_requests_total", "fastingest_pixel_rejected_total", "fastingest_tcp_messages_total",
    ];

    public IReadOnlyDictionary<string, double> Samples => samples;

    public static async Task<MetricsSnapshot> ScrapeAsync(HttpClient http, Uri metrics)
    {
        string text = await http.GetStringAsync(metrics).ConfigureAwait(false);
        return Parse(text);
    }

    public static MetricsSnapshot Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            // The value follows the last space; label values here never hold one.
            int space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                samples[line[..space]] = value;
            }
        }

        return new MetricsSnapshot(samples);
    }

    /// <summary>The sum of every series of a family (e.g. lines counted over all shards).</summary>
    public double Sum(string family)
    {
        double sum = 0;
        foreach ((string series, double value) in samples)
        {
            if (Family(series) == family)
            {
                sum += value;
            }
        }

        return sum;
    }

    /// <summary>A single number that moves while the server still counts or refuses what was sent.</summary>
    public double Progress()
    {
        double sum = 0;
        foreach (string family in s_progress)
        {
            sum += Sum(family);
        }

        return sum;
    }

    /// <summary>
    /// The series of <paramref name="family"/> that grew since <paramref name="before"/>, by their
    /// labels (<c>source="pixel",reason="too_many_tenants"</c>), largest first.
    /// </summary>
    public List<(string Labels, double Delta)> Deltas(MetricsSnapshot before, string family)
    {
        var deltas = new List<(string Labels, double Delta)>();
        foreach ((string series, double value) in samples)
        {
            if (Family(series) != family)
            {
                continue;
            }

            double delta = value - before.Samples.GetValueOrDefault(series);
            if (delta != 0)
            {
                int open = series.IndexOf('{', StringComparison.Ordinal);
                deltas.Add((open < 0 ? "" : series[(open + 1)..^1], delta));
            }
        }

        deltas.Sort(static (a, b) => b.Delta.CompareTo(a.Delta));
        return deltas;
    }

    /// <summary>How much a family's sum grew since <paramref name="before"/>.</summary>
    public double Delta(MetricsSnapshot before, string family) => Sum(family) - before.Sum(family);

    private static string Family(string series)
    {
        int open = series.IndexOf('{', StringComparison.Ordinal);
        return open < 0 ? series : series[..open];
    }
}
