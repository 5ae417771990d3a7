using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A real Prometheus (Debian's 2.42) on a free loopback port, scraping one target every second and
/// evaluating the given rule files every second, with its storage in a folder of its own.
/// </summary>
internal sealed class PrometheusProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessOutput _output;
    private readonly TempFolder _folder;
    private readonly HttpClient _http;

    private PrometheusProcess(Process process, TempFolder folder, int port)
    {
        _process = process;
        _output = new ProcessOutput(process, maxChars: 20_000);
        _folder = folder;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>What Prometheus printed, for failure messages.</summary>
    public string Output => _output.ToString();

    /// <summary>Starts it scraping <paramref name="target"/> (host:port, path /metrics) as job <c>fastingest</c>.</summary>
    public static PrometheusProcess Start(string target, params string[] ruleFiles)
    {
        var folder = new TempFolder("prometheus");
        int port = FreePorts.Tcp();
        string rules = string.Join("", ruleFiles.Select(f => $"\n  - {f}"));
        File.WriteAllText(folder.Combine("prometheus.yml"),
            $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
              evaluation_interval: 1s
            rule_files:{rules}
            scrape_configs:
              - job_name: fastingest
                static_configs:
                  - targets: ['{target}']
            """);
        var psi = new ProcessStartInfo(Promtool.Find("prometheus"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            "--config.file=" + folder.Combine("prometheus.yml"), "--storage.tsdb.path=" + folder.Combine("data"),
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        Process process = Process.Start(psi) ?? throw new InvalidOperationException("prometheus did not start");
        return new PrometheusProcess(process, folder, port);
    }

    /// <summary>An instant query's result vector: each sample's labels and value.</summary>
    public async Task<IReadOnlyList<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        string json;
        try
        {
            json = await _http.GetStringAsync(new Uri("/api/v1/query?query=" + Uri.EscapeDataString(promql), UriKind.Relative));
        }
        catch (HttpRequestException)
        {
            return []; // Not listening yet: an Eventually asks again.
        }

        using JsonDocument doc = JsonDocument.Parse(json);
        var samples = new List<(Dictionary<string, string>, double)>();
        foreach (JsonElement sample in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = sample.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
            samples.Add((labels, double.Parse(sample.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)));
        }

        return samples;
    }

    /// <summary><c>/api/v1/rules</c>: every rule's name and health (ok, err, unknown) and its last error.</summary>
    public async Task<IReadOnlyList<(string Name, string Health, string Error)>> RulesAsync()
    {
        using JsonDocument doc = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/api/v1/rules", UriKind.Relative)));
        var rules = new List<(string, string, string)>();
        foreach (JsonElement group in doc.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray())
        {
            foreach (JsonElement rule in group.GetProperty("rules").EnumerateArray())
            {
                rules.Add((rule.GetProperty("name").GetString()!, rule.GetProperty("health").GetString()!,
                    rule.TryGetProperty("lastError", out JsonElement error) ? error.GetString() ?? "" : ""));
            }
        }

        return rules;
    }

    public async ValueTask DisposeAsync()
    {
        await ForegroundProcess.StopAsync(_process);
        _http.Dispose();
        _folder.Dispose();
    }
}
