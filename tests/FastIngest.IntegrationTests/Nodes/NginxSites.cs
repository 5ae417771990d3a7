using System.Globalization;
using System.Text;
using FastIngest.Core.Parsing.Agents;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Nodes;

/// <summary>
/// Real NGINX serving a dozen sites, one tenant each, every site logging NGINX's built-in <c>combined</c>
/// format to a file of its own and over UDP syslog to one target: what a CDN edge in front of several
/// FastIngest nodes sends. NGINX opens a syslog socket per <c>access_log syslog:</c> line and worker, so
/// the datagrams leave from twelve source ports (twelve flows for the kernel's or a balancer's spreading).
/// </summary>
internal sealed class NginxSites : IAsyncDisposable
{
    /// <summary>
    /// The agents requests are sent with: each (tenant, day, agent) is one visitor, whichever node counts it.
    /// People's browsers: bots are kept out of visitor counts (issue 18).
    /// </summary>
    public static readonly string[] Agents =
    [
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    ];

    private static readonly string[] s_paths = ["/", "/media/a.webp", "/posts/1", "/missing", "/robots.txt", "/posts/caf%C3%A9"];

    private readonly NginxProcess _nginx;
    private readonly Dictionary<string, int> _ports;
    private readonly Dictionary<string, int> _served = [];

    private NginxSites(NginxProcess nginx, Dictionary<string, int> ports)
    {
        _nginx = nginx;
        _ports = ports;
        foreach (string tenant in ports.Keys)
        {
            _served[tenant] = 0;
        }

        // NginxProcess's readiness probe: one GET /robots.txt on blog, logged like any request.
        _served["blog"] = 1;
    }

    public IReadOnlyCollection<string> Tenants => _ports.Keys;

    /// <summary>Requests NGINX has answered (and so logged), all sites.</summary>
    public int Served => _served.Values.Sum();

    /// <param name="syslogUdpPort">Where every site's syslog target sends (a FastIngest port or a balancer's).</param>
    public static async Task<NginxSites> StartAsync(int syslogUdpPort)
    {
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 2; i < 12; i++)
        {
            ports["site" + i.ToString("00", CultureInfo.InvariantCulture)] = FreePorts.Tcp();
        }

        NginxProcess nginx = await NginxProcess.StartAsync(p =>
        {
            ports["shop"] = p.Shop;
            ports["blog"] = p.Blog;
            return Config(p.Prefix, ports, syslogUdpPort);
        });
        return new NginxSites(nginx, ports);
    }

    /// <summary>
    /// <paramref name="perTenant"/> requests to every site, the sites in parallel, paths and agents taken in
    /// turn (statuses 200 and 404); returns when NGINX has answered every one.
    /// </summary>
    public async Task ServeAsync(int perTenant)
    {
        using var http = new HttpClient();
        await Task.WhenAll(_ports.Select(async site =>
        {
            for (int i = 0; i < perTenant; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{site.Value}{s_paths[i % s_paths.Length]}"));
                request.Headers.TryAddWithoutValidation("User-Agent", Agents[i % Agents.Length]);
                using HttpResponseMessage response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
            }
        }));
        foreach (string tenant in _ports.Keys)
        {
            _served[tenant] += perTenant;
        }
    }

    /// <summary>What NGINX wrote to its file logs, tenant by tenant, once every served request is in them.</summary>
    public async Task<Dictionary<string, TenantTotals>> FileLogTotalsAsync()
    {
        var totals = new Dictionary<string, TenantTotals>(StringComparer.Ordinal);
        foreach ((string tenant, int served) in _served)
        {
            string[] lines = await _nginx.AccessLogLinesAsync(tenant, served);
            Assert.Equal(served, lines.Length);
            totals[tenant] = TenantTotals.OfCombinedLines(lines);
        }

        return totals;
    }

    /// <summary>
    /// Distinct visitors per tenant as NGINX's file logs have them: every request comes from 127.0.0.1, so a
    /// visitor is an agent on a UTC day (summed over days, as ClickHouse's per-day uniq states are).
    /// </summary>
    public async Task<SortedDictionary<string, int>> FileLogVisitorsAsync()
    {
        var visitors = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach ((string tenant, int served) in _served)
        {
            // Bots are no visitors (issue 18): a site's log also holds the readiness probe's request.
            visitors[tenant] = (await _nginx.AccessLogLinesAsync(tenant, served))
                .Where(line => !UserAgentClassifier.Classify(Encoding.UTF8.GetBytes(Agent(line))).IsBot)
                .Select(Visitor).Distinct(StringComparer.Ordinal).Count();
        }

        return visitors;
    }

    public ValueTask DisposeAsync() => _nginx.DisposeAsync();

    /// <summary>"UTC day|agent" of a combined line: <c>… [26/Nov/2026:06:40:01 +0000] "GET …" 200 5 "-" "agent"</c>.</summary>
    private static string Visitor(string line)
    {
        int open = line.IndexOf('[', StringComparison.Ordinal);
        string time = line[(open + 1)..line.IndexOf(']', open)];
        DateTimeOffset at = DateTimeOffset.ParseExact(time[..^2] + ":" + time[^2..], "dd/MMM/yyyy:HH:mm:ss zzz", CultureInfo.InvariantCulture);
        return $"{at.UtcDateTime:yyyy-MM-dd}|{Agent(line)}";
    }

    /// <summary>The last quoted field of a combined line: the user agent.</summary>
    private static string Agent(string line) => line[(line.LastIndexOf('"', line.Length - 2) + 1)..^1];

    private static string Config(string prefix, Dictionary<string, int> ports, int syslogPort)
    {
        var sites = new System.Text.StringBuilder();
        foreach ((string tenant, int port) in ports.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sites.Append(CultureInfo.InvariantCulture, $$"""
                  server {
                    listen 127.0.0.1:{{port}};
                    access_log access.{{tenant}}.log combined;
                    access_log syslog:server=127.0.0.1:{{syslogPort}},tag={{tenant}},nohostname combined;
                    location = /robots.txt { return 200 "User-agent: *\nDisallow: /\n"; }
                    location /posts/ { return 200 "post $uri\n"; }
                    location /media/ { return 200 "media $uri\n"; }
                    location = / { return 200 "home\n"; }
                    location / { return 404; }
                  }

                """);
        }

        return $$"""
            worker_processes 1;
            pid nginx.pid;
            error_log error.log notice;
            events { worker_connections 1024; }
            http {
              client_body_temp_path {{prefix}}/body;
              proxy_temp_path {{prefix}}/proxy;
              fastcgi_temp_path {{prefix}}/fcgi;
              uwsgi_temp_path {{prefix}}/uwsgi;
              scgi_temp_path {{prefix}}/scgi;
            {{sites}}
            }
            """;
    }
}
