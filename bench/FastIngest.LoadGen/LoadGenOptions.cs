using System.Globalization;
using System.Net;

namespace FastIngest.LoadGen;

/// <summary>Command line of the load generator; see <see cref="Usage"/>.</summary>
internal sealed class LoadGenOptions
{
    public const string Usage = """
        usage: FastIngest.LoadGen MODE [options]
               FastIngest.LoadGen --scenario tenant-flood|path-flood|time-spread [options]
          modes that send (to loopback only), then count what arrived:
            udp        NGINX JSON lines as RFC 3164 syslog datagrams, one per datagram
            tcp        the same messages over TCP syslog, octet counting (RFC 6587)
            pixel      GET /p/TENANT/KEY.gif over keep-alive HTTP/1.1 connections
            ingest     POST /ingest NDJSON batches of events
          other modes:
            bare-udp   a bare .NET socket loop that only counts datagrams (the platform's ceiling);
                       writes its running count to --count-file
            gen-file   writes --count lines to --out: --format json|combined|typed
        options:
          --port P               target (or bare-udp's listening) port            (udp/tcp 5514, http 8080)
          --host H               127.0.0.1 (default), localhost or ::1; other hosts are refused
          --rate N               messages (requests, events) per second; 0 = flat out   (0)
          --count N              stop after N messages                                  (unbounded)
          --duration S           stop after S seconds                                   (10)
          --tenants N            distinct tenants in the traffic                        (50)
          --connections N        tcp/pixel/ingest connections; udp sending sockets      (1; pixel 32; ingest 4)
          --batch N              events per /ingest request                             (1000)
          --search               udp/tcp: find the highest loss-free rate: double from --rate until
                                 a step loses, then bisect --search-steps times
          --search-steps N       (3)
          --max-rate N           search: never offer more than N/s                      (2000000)
          --loss-tolerance F     search: a step is loss-free when lost/sent <= F        (0)
          --clickhouse URL       count in ClickHouse (sum of requests/hits/events since the start)
          --database DB          (fastingest)
          --count-lines FILE     count LF-terminated lines in FILE instead (rsyslog's omfile output)
          --count-file FILE      read a running count from FILE instead (bare-udp's)
          --settle S             counting: wait until the count has not moved for S seconds  (2.5)
          --server-pid PID       report that process's CPU seconds and peak RSS (VmHWM)
          --out FILE --format F  gen-file
          --start ISO            gen-file: time of the first line                       (2026-11-22T00:00:00Z)
          --step-ms N            gen-file: milliseconds between lines                   (10)
        hostile traffic (issue 13), against a running server; each prints what was refused (by source
        and reason, from /metrics fastingest_rejected_total), what was counted (/metrics, and per tenant
        in ClickHouse with --clickhouse) and the server's RSS (sampled VmRSS, VmHWM at the end):
          --scenario tenant-flood  --count pixel GETs /p/<invented tenant>/k.gif (12000), then
                                   --real-tenants new tenants' NGINX lines over TCP syslog
          --scenario path-flood    --count lines with unique --uri-bytes URIs over --tags tags (60000)
          --scenario time-spread   --count lines (100) at each of: msec 1 (1970), 1974, 2076, now − 3 d,
                                   now + 1 h, now − 1 d, now; each time under its own tenant
          --port P               syslog TCP port                                        (5514)
          --http-port P          the pixel and /metrics                                 (8080)
          --connections N        pixel connections of the tenant flood                  (32)
          --syslog-flood N       tenant-flood: also N syslog lines with invented tags/hosts  (0)
          --real-tenants N       tenant-flood: real tenants after the flood             (10)
          --real-lines N         tenant-flood: lines per real tenant                    (100)
          --uri-bytes N          path-flood: bytes per URI, 12-32000 (it appears twice  (8192)
                                 in a line: 32000 makes messages near 64 KiB)
          --tags N               path-flood: tags (tenants) the lines are spread over   (100)
          --server-pid PID       the server (default: the process listening on --http-port)
          --rate, --duration     as above; --duration bounds each phase                 (flat out, 600)
        Prints human lines, then one machine line starting with RESULT.
        """;

    public string Mode { get; private set; } = "";

    /// <summary>The attack of <c>--scenario</c> (Mode is then "scenario").</summary>
    public string Scenario { get; private set; } = "";

    public int HttpPort { get; private set; } = 8080;

    public int UriBytes { get; private set; } = 8192;

    public int Tags { get; private set; } = 100;

    public int RealTenants { get; private set; } = 10;

    public int RealLines { get; private set; } = 100;

    public int SyslogFlood { get; private set; }

    /// <summary>A scenario's phase runs until its lines are sent: 10 minutes unless --duration says otherwise.</summary>
    public TimeSpan ScenarioDuration { get; private set; } = TimeSpan.FromMinutes(10);

    public IPAddress Host { get; private set; } = IPAddress.Loopback;

    public int Port { get; private set; }

    public long Rate { get; private set; }

    public long Count { get; private set; } = long.MaxValue;

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(10);

    public int Tenants { get; private set; } = 50;

    public int Connections { get; private set; }

    public int Batch { get; private set; } = 1000;

    public bool Search { get; private set; }

    public int SearchSteps { get; private set; } = 3;

    public long MaxRate { get; private set; } = 2_000_000;

    public double LossTolerance { get; private set; }

    public Uri? ClickHouse { get; private set; }

    public string Database { get; private set; } = "fastingest";

    public string? CountLines { get; private set; }

    public string? CountFile { get; private set; }

    public TimeSpan Settle { get; private set; } = TimeSpan.FromSeconds(2.5);

    public int? ServerPid { get; private set; }

    public string? Out { get; private set; }

    public string Format { get; private set; } = "json";

    public DateTimeOffset Start { get; private set; } = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    public TimeSpan Step { get; private set; } = TimeSpan.FromMilliseconds(10);

    public static bool TryParse(string[] args, out LoadGenOptions options, out string error)
    {
        options = new LoadGenOptions();
        error = "";
        if (args.Length == 0 || (args[0].StartsWith('-') && args[0] != "--scenario"))
        {
            error = "no mode";
            return false;
        }

        // `--scenario NAME` stands in for the mode; it may also follow one (ignored then).
        options.Mode = args[0] == "--scenario" ? "scenario" : args[0];
        for (int i = args[0] == "--scenario" ? 0 : 1; i < args.Length; i++)
        {
            string name = args[i];
            if (name == "--search")
            {
                options.Search = true;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = name + " needs a value";
                return false;
            }

            string value = args[++i];
            switch (name)
            {
                case "--host":
                    // Loopback only: this tool floods whatever it is pointed at.
                    IPAddress host = value == "localhost" ? IPAddress.Loopback : IPAddress.Parse(value);
                    if (!IPAddress.IsLoopback(host))
                    {
                        error = $"refusing {value}: the load generator sends to loopback only";
                        return false;
                    }

                    options.Host = host;
                    break;
                case "--port": options.Port = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--rate": options.Rate = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "--count": options.Count = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "--duration":
                    options.Duration = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture));
                    options.ScenarioDuration = options.Duration;
                    break;
                case "--scenario":
                    options.Mode = "scenario";
                    options.Scenario = value;
                    break;
                case "--http-port": options.HttpPort = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--uri-bytes":
                    // The URI appears twice in a line (request_uri and uri): 32,000 makes a message near
                    // Syslog:MaxMessageBytes (64 KiB), and keeps a frame within TcpSyslogSender's buffer.
                    options.UriBytes = Math.Clamp(int.Parse(value, CultureInfo.InvariantCulture), 12, 32_000);
                    break;
                case "--tags": options.Tags = Math.Max(1, int.Parse(value, CultureInfo.InvariantCulture)); break;
                case "--real-tenants": options.RealTenants = Math.Max(1, int.Parse(value, CultureInfo.InvariantCulture)); break;
                case "--real-lines": options.RealLines = Math.Max(1, int.Parse(value, CultureInfo.InvariantCulture)); break;
                case "--syslog-flood": options.SyslogFlood = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--tenants": options.Tenants = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--connections": options.Connections = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--batch": options.Batch = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--search-steps": options.SearchSteps = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--max-rate": options.MaxRate = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "--loss-tolerance": options.LossTolerance = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--clickhouse": options.ClickHouse = new Uri(value); break;
                case "--database": options.Database = value; break;
                case "--count-lines": options.CountLines = value; break;
                case "--count-file": options.CountFile = value; break;
                case "--settle": options.Settle = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
                case "--server-pid": options.ServerPid = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--out": options.Out = value; break;
                case "--format": options.Format = value; break;
                case "--start": options.Start = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture); break;
                case "--step-ms": options.Step = TimeSpan.FromMilliseconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
                default:
                    error = "unknown option " + name;
                    return false;
            }
        }

        if (options.Port == 0)
        {
            options.Port = options.Mode is "pixel" or "ingest" ? 8080 : 5514;
        }

        if (options.Connections == 0)
        {
            options.Connections = options.Mode switch { "pixel" or "scenario" => 32, "ingest" => 4, _ => 1 };
        }

        return true;
    }
}
