using FastIngest.Server.Dashboard;
using FastIngest.Server.Events;
using FastIngest.Server.Hosting;
using FastIngest.Server.Http;
using FastIngest.Server.Import;
using FastIngest.Server.Operations;
using FastIngest.Server.Pixel;
using FastIngest.Server.Reading;
using FastIngest.Server.Syslog;
using Microsoft.Extensions.Options;

if (args.Length > 0 && args[0] == "import")
{
    // Full JIT for the import's few seconds of hot loops, in a child process; the server keeps tiering.
    return ImportRuntime.RunsHere ? await ImportCommand.RunAsync(args[1..]) : await ImportRuntime.RunInChildAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "spool")
{
    return await SpoolRetryCommand.RunAsync(args[1..]);
}

// Until the host has started, a failure is reported here as one line (Hosting/StartupFailure), so the
// host's own "failed to start" log with its stack trace is held back until then.
bool started = false;
Func<int, string?> keyOfPort = static _ => null;
try
{
    // Content root = the app's folder, so appsettings.json is found wherever the server is started from
    // (run.sh starts it from the repository root).
    WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
    {
        Args = args,
        ContentRootPath = AppContext.BaseDirectory,
    });
    // Before anything opens a socket: the runtime reads its inline-completions switch once, from the environment.
    InlineScheduling.Apply(builder.Configuration);
    builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Warning && (level < LogLevel.Error || started));
    builder.AddFastIngest();

    WebApplication app = builder.Build();
    keyOfPort = KeysOfPorts(app.Services);
    app.Lifetime.ApplicationStarted.Register(() => started = true);
    app.UsePixel(app.Services.GetRequiredService<IOptions<PixelOptions>>().Value);
    // Authentication before any limiter: an invented key is a 401, never a partition of its own.
    app.UseRouting();
    app.UseApiAuthentication();
    app.UseDashboardAuthentication();
    app.UseRateLimiter();
    app.MapEvents();
    app.MapStats();
    app.MapDashboardApi();
    app.MapHealth();
    app.MapMetrics();
    app.MapDashboard();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (!started && StartupFailure.TryDescribe(ex, out string message, keyOfPort))
{
    await Console.Error.WriteLineAsync("FastIngest cannot start: " + message);
    return StartupFailure.ExitCode;
}

// Which setting asked Kestrel for a port, to name it when the port is taken. Read before the start:
// a failed start has disposed the services by the time it is reported.
static Func<int, string?> KeysOfPorts(IServiceProvider services)
{
    int http = services.GetRequiredService<IOptions<HttpOptions>>().Value.Port;
    int tcpSyslog = services.GetRequiredService<IOptions<SyslogOptions>>().Value.TcpPort;
    int management = services.GetRequiredService<IOptions<ManagementOptions>>().Value.Port;
    int pixel = services.GetRequiredService<IOptions<PixelOptions>>().Value.Port;
    return port => port == http ? HttpOptions.SectionName + ":Port"
        : port == pixel ? PixelOptions.SectionName + ":Port"
        : port == tcpSyslog ? SyslogOptions.SectionName + ":TcpPort"
        : port == management ? ManagementOptions.SectionName + ":Port"
        : null;
}
