using FastIngest.Server.Events;
using FastIngest.Server.Hosting;
using FastIngest.Server.Http;
using FastIngest.Server.Import;
using FastIngest.Server.Operations;
using FastIngest.Server.Pixel;
using FastIngest.Server.Reading;
using Microsoft.Extensions.Options;

if (args.Length > 0 && args[0] == "import")
{
    return await RunImportAsync(args[1..]);
}

// Content root = the app's folder, so appsettings.json is found wherever the server is started from
// (run.sh starts it from the repository root).
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.AddFastIngest();

WebApplication app = builder.Build();
app.UsePixel(app.Services.GetRequiredService<IOptions<PixelOptions>>().Value);
app.UseRateLimiter();
app.MapEvents();
app.MapStats();
app.MapHealth();
app.MapMetrics();
await app.RunAsync();
return 0;

// The same configuration as the server (appsettings.json, FastIngest__* variables, --FastIngest:* options).
static async Task<int> RunImportAsync(string[] args)
{
    IConfiguration configuration = new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine(args.Where(a => a.StartsWith("--FastIngest:", StringComparison.Ordinal)).ToArray())
        .Build();
    using ILoggerFactory loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    return await ImportCommand.RunAsync(args, configuration, loggers, stop.Token);
}
