using System.Globalization;

namespace FastIngest.LoadGen;

/// <summary>
/// FastIngest's own figure: what reached ClickHouse, e.g. <c>SELECT sum(requests) FROM db.traffic_1m</c>.
/// Plain HTTP GET; the answer is one TSV number.
/// </summary>
internal sealed class ClickHouseCounter(Uri clickHouse, string query) : ICounter, IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public string Describe => query;

    public static string QueryFor(string mode, string database) => mode switch
    {
        "pixel" => $"SELECT sum(hits) FROM {database}.pixel_1m",
        "ingest" => $"SELECT sum(events) FROM {database}.events_1m",
        _ => $"SELECT sum(requests) FROM {database}.traffic_1m",
    };

    public async Task<long> ReadAsync()
    {
        var uri = new Uri(clickHouse, "/?query=" + Uri.EscapeDataString(query + " FORMAT TSV"));
        string text = await _http.GetStringAsync(uri).ConfigureAwait(false);
        return long.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    public void Dispose() => _http.Dispose();
}
