using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace FastIngest.LoadGen;

/// <summary>
/// Issue 13's attacks against a running server (<c>--scenario tenant-flood | path-flood |
/// time-spread</c>): each phase sends its traffic, waits until /metrics stops moving, then prints what
/// was refused (the <c>fastingest_rejected_total{source,reason}</c> delta, whatever reasons appear),
/// what was counted (/metrics, and per tenant in ClickHouse with <c>--clickhouse</c>) and the server's
/// resident set (sampled VmRSS, and VmHWM at the end), so the bounds can be watched under load.
/// </summary>
internal sealed class HostileScenario : IDisposable
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_maxWait = TimeSpan.FromSeconds(120);

    private readonly LoadGenOptions _options;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Uri _metrics;
    private readonly IPEndPoint _syslog;
    private readonly IPEndPoint _pixel;
    private readonly List<string> _result = [];
    private RssSampler? _rss;

    private HostileScenario(LoadGenOptions options)
    {
        _options = options;
        _syslog = new IPEndPoint(options.Host, options.Port);
        _pixel = new IPEndPoint(options.Host, options.HttpPort);
        _metrics = new Uri($"http://{(options.Host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + options.Host + "]" : options.Host.ToString())}:{options.HttpPort}/metrics");
    }

    public static async Task<int> RunAsync(LoadGenOptions options)
    {
        using var scenario = new HostileScenario(options);
        return await scenario.RunAsync().ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();

    private async Task<int> RunAsync()
    {
        int? pid = _options.ServerPid ?? ServerPidFinder.FindListening(_options.HttpPort);
        string run = HostileTraffic.NewRunId();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scenario {_options.Scenario}, run {run}: syslog {_syslog}, http {_pixel}, server pid {(pid is { } p ? p.ToString(CultureInfo.InvariantCulture) : "not found (no RSS; give --server-pid)")}, counting in /metrics{(_options.ClickHouse is { } ch ? " and " + ch : "")}"));
        _result.Add("scenario=" + _options.Scenario);
        if (pid is { } id)
        {
            _rss = new RssSampler(id);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  server RSS before: {Mb(_rss.First)} MB"));
        }

        try
        {
            var workload = new Workload(50);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            switch (_options.Scenario)
            {
                case "tenant-flood":
                    await TenantFloodAsync(workload, run, now).ConfigureAwait(false);
                    break;
                case "path-flood":
                    await PathFloodAsync(workload, run, now).ConfigureAwait(false);
                    break;
                case "time-spread":
                    await TimeSpreadAsync(workload, run, now).ConfigureAwait(false);
                    break;
                default:
                    Console.Error.WriteLine("unknown scenario " + _options.Scenario + "\n" + LoadGenOptions.Usage);
                    return 2;
            }
        }
        finally
        {
            if (_rss is not null)
            {
                await _rss.DisposeAsync().ConfigureAwait(false);
                long after = _rss.Now();
                long hwm = _rss.HighWaterMark();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"server RSS: before {Mb(_rss.First)} MB, peak sampled {Mb(_rss.Peak)} MB, after the traffic {Mb(after)} MB, VmHWM (peak since the server started) {Mb(hwm)} MB"));
                _result.Add(string.Create(CultureInfo.InvariantCulture, $"rss_before_mb={Mb(_rss.First)} rss_peak_mb={Mb(_rss.Peak)} rss_after_mb={Mb(after)} vmhwm_mb={Mb(hwm)}"));
            }
        }

        Console.WriteLine("RESULT " + string.Join(' ', _result));
        return 0;
    }

    private async Task TenantFloodAsync(Workload workload, string run, DateTimeOffset now)
    {
        int flood = Count(12_000);
        await PhaseAsync("flood", $"{flood:N0} pixel GETs /p/{HostileTraffic.FloodPrefix(run)}N/k.gif (invented tenants)",
            new PixelSender(_pixel, HostileTraffic.InventedTenantPixels(workload, run, flood), _options.Connections), flood).ConfigureAwait(false);
        if (_options.SyslogFlood > 0)
        {
            await PhaseAsync("syslog_flood", $"{_options.SyslogFlood:N0} syslog lines with invented tags and hosts",
                new TcpSyslogSender(_syslog, HostileTraffic.InventedTenantSyslog(workload, run, _options.SyslogFlood, now), 1), _options.SyslogFlood).ConfigureAwait(false);
        }

        int real = _options.RealTenants * _options.RealLines;
        await PhaseAsync("real", $"{_options.RealTenants} new real tenants × {_options.RealLines} NGINX lines over TCP syslog",
            new TcpSyslogSender(_syslog, HostileTraffic.RealTenantLines(workload, run, _options.RealTenants, _options.RealLines, now), 1), real).ConfigureAwait(false);
        if (_options.ClickHouse is not null)
        {
            Dictionary<string, long> counted = await ClickHouseByTenantAsync("traffic_1m", "requests", HostileTraffic.RealPrefix(run), real).ConfigureAwait(false);
            int whole = 0;
            for (int t = 0; t < _options.RealTenants; t++)
            {
                string tenant = HostileTraffic.RealPrefix(run) + t.ToString(CultureInfo.InvariantCulture);
                long n = counted.GetValueOrDefault(tenant);
                whole += n == _options.RealLines ? 1 : 0;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ClickHouse: {tenant} counted {n:N0} of {_options.RealLines:N0}"));
            }

            Dictionary<string, long> floodCounted = await ClickHouseByTenantAsync("pixel_1m", "hits", HostileTraffic.FloodPrefix(run), 0).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  ClickHouse: real tenants counted in full: {whole} of {_options.RealTenants}; invented tenants with pixel hits stored: {floodCounted.Count:N0} ({floodCounted.Values.Sum():N0} hits)"));
            _result.Add(string.Create(CultureInfo.InvariantCulture, $"real_tenants_whole={whole}/{_options.RealTenants} flood_tenants_stored={floodCounted.Count}"));
        }
    }

    private async Task PathFloodAsync(Workload workload, string run, DateTimeOffset now)
    {
        int lines = Count(60_000);
        byte[][] messages = HostileTraffic.LongUriLines(workload, run, lines, _options.Tags, _options.UriBytes, now);
        await PhaseAsync("flood", $"{lines:N0} lines with unique {_options.UriBytes:N0}-byte URIs over {_options.Tags} tags, messages up to {messages.Max(m => m.Length):N0} bytes, TCP syslog",
            new TcpSyslogSender(_syslog, messages, 1), lines).ConfigureAwait(false);
        if (_options.ClickHouse is not null)
        {
            Dictionary<string, long> counted = await ClickHouseByTenantAsync("traffic_1m", "requests", "path" + run + "x", lines).ConfigureAwait(false);
            long sum = counted.Values.Sum();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ClickHouse: {sum:N0} of {lines:N0} lines counted, over {counted.Count} tenants"));
            _result.Add(string.Create(CultureInfo.InvariantCulture, $"clickhouse_counted={sum}"));
        }
    }

    private async Task TimeSpreadAsync(Workload workload, string run, DateTimeOffset now)
    {
        int each = Count(100);
        IReadOnlyList<(string Label, DateTimeOffset Time, bool InDefaultWindow)> times = HostileTraffic.SpreadTimes(now);
        await PhaseAsync("spread", $"{each:N0} lines at each of {string.Join(", ", times.Select(t => t.Label + " (" + t.Time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + ")"))}, TCP syslog",
            new TcpSyslogSender(_syslog, HostileTraffic.TimeSpreadLines(workload, run, each, now), 1), each * times.Count).ConfigureAwait(false);
        if (_options.ClickHouse is not null)
        {
            Dictionary<string, long> counted = await ClickHouseByTenantAsync("traffic_1m", "requests", "time" + run + "x", each * times.Count(t => t.InDefaultWindow)).ConfigureAwait(false);
            foreach ((string label, DateTimeOffset time, bool inWindow) in times)
            {
                long n = counted.GetValueOrDefault(HostileTraffic.SpreadTenant(run, label));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  ClickHouse: {label,-8} {time:yyyy-MM-dd HH:mm} counted {n,6:N0} of {each:N0}   (default window [now − 2 d, now + 5 min]: {(inWindow ? "inside" : "outside")})"));
                _result.Add(string.Create(CultureInfo.InvariantCulture, $"counted_{label}={n}"));
            }
        }
    }

    /// <summary>Sends one phase, waits for the server to work through it, prints what moved.</summary>
    private async Task PhaseAsync(string name, string what, ISender sender, long count)
    {
        Console.WriteLine(name + ": " + what);
        MetricsSnapshot before = await MetricsSnapshot.ScrapeAsync(_http, _metrics).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        long sent = await sender.RunAsync(_options.Rate, count, _options.ScenarioDuration).ConfigureAwait(false);
        TimeSpan sending = clock.Elapsed;
        MetricsSnapshot after = await SettleAsync().ConfigureAwait(false);
        double counted = after.Delta(before, "fastingest_lines_counted_total");
        double served = after.Delta(before, "fastingest_pixel_requests_total");
        double pixelRefused = after.Delta(before, "fastingest_pixel_rejected_total");
        double refused = after.Delta(before, "fastingest_rejected_total");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  sent {sent:N0} {sender.Unit} in {sending.TotalSeconds:F2} s{(sender is PixelSender { Failed: > 0 } px ? $" ({px.Failed:N0} answered other than 200)" : "")}; /metrics: lines counted +{counted:N0}, pixel hits served +{served:N0}, pixel refused +{pixelRefused:N0}, refused +{refused:N0}"));
        foreach ((string labels, double delta) in after.Deltas(before, "fastingest_rejected_total"))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    refused {{{labels}}} +{delta:N0}"));
            _result.Add(string.Create(CultureInfo.InvariantCulture, $"{name}_refused_{LabelValues(labels)}={delta}"));
        }

        foreach (string family in (string[])["fastingest_folded_total", "fastingest_names_truncated_total"])
        {
            foreach ((string labels, double delta) in after.Deltas(before, family))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {family["fastingest_".Length..]}{{{labels}}} +{delta:N0}"));
            }
        }

        if (_rss is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  server RSS now {Mb(_rss.Now())} MB, peak sampled so far {Mb(_rss.Peak)} MB"));
        }

        _result.Add(string.Create(CultureInfo.InvariantCulture,
            $"{name}_sent={sent} {name}_seconds={sending.TotalSeconds:F2} {name}_lines_counted={counted} {name}_pixel_served={served} {name}_refused={refused}"));
    }

    /// <summary>Scrapes /metrics until what the server counts and refuses has not moved for --settle.</summary>
    private async Task<MetricsSnapshot> SettleAsync()
    {
        var waited = Stopwatch.StartNew();
        MetricsSnapshot last = await MetricsSnapshot.ScrapeAsync(_http, _metrics).ConfigureAwait(false);
        var stable = Stopwatch.StartNew();
        while (stable.Elapsed < _options.Settle && waited.Elapsed < s_maxWait)
        {
            await Task.Delay(s_poll).ConfigureAwait(false);
            MetricsSnapshot now = await MetricsSnapshot.ScrapeAsync(_http, _metrics).ConfigureAwait(false);
            if (now.Progress() != last.Progress())
            {
                stable.Restart();
            }

            last = now;
        }

        return last;
    }

    /// <summary>
    /// <c>sum(column)</c> per tenant of this run (names starting with <paramref name="prefix"/>), polled
    /// until it reaches <paramref name="expected"/> or has not moved for a few flushes.
    /// </summary>
    private async Task<Dictionary<string, long>> ClickHouseByTenantAsync(string table, string column, string prefix, long expected)
    {
        // The prefix is [a-z0-9] only (HostileTraffic's names), so it needs no quoting beyond the quotes.
        string query = $"SELECT tenant, sum({column}) FROM {_options.Database}.{table} WHERE tenant LIKE '{prefix}%' GROUP BY tenant FORMAT TSV";
        var uri = new Uri(_options.ClickHouse!, "/?query=" + Uri.EscapeDataString(query));
        var waited = Stopwatch.StartNew();
        var stable = Stopwatch.StartNew();
        TimeSpan quiet = _options.Settle + TimeSpan.FromSeconds(3);
        Dictionary<string, long> counted = [];
        long total = -1;
        while (true)
        {
            counted = [];
            foreach (string line in (await _http.GetStringAsync(uri).ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] fields = line.Split('\t');
                counted[fields[0]] = long.Parse(fields[1], CultureInfo.InvariantCulture);
            }

            long now = counted.Values.Sum();
            if (now != total)
            {
                total = now;
                stable.Restart();
            }

            if ((expected > 0 && total >= expected) || stable.Elapsed >= quiet || waited.Elapsed >= s_maxWait)
            {
                return counted;
            }

            await Task.Delay(s_poll).ConfigureAwait(false);
        }
    }

    /// <summary><c>source="tcp",reason="time_out_of_range"</c> → <c>tcp_time_out_of_range</c>, for the RESULT line.</summary>
    private static string LabelValues(string labels)
    {
        string[] pairs = labels.Split(',');
        for (int i = 0; i < pairs.Length; i++)
        {
            pairs[i] = pairs[i][(pairs[i].IndexOf('=', StringComparison.Ordinal) + 1)..].Trim('"');
        }

        return string.Join('_', pairs);
    }

    private int Count(int fallback) => _options.Count == long.MaxValue ? fallback : (int)Math.Min(_options.Count, int.MaxValue);

    private static long Mb(long bytes) => bytes / 1_048_576;
}
