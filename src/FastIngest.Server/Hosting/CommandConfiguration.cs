namespace FastIngest.Server.Hosting;

/// <summary>
/// What the command verbs (<c>import</c>, <c>spool retry</c>) share with the server: its configuration
/// sources (appsettings.json, <c>FastIngest__*</c> variables, <c>--FastIngest:*</c> options) and a service
/// collection that logs warnings and worse to the console, for the composition root to fill.
/// </summary>
internal static class CommandConfiguration
{
    public static IConfiguration Build(string[] args) => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine(args.Where(a => a.StartsWith("--FastIngest:", StringComparison.Ordinal)).ToArray())
        .Build();

    public static ServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        return services;
    }
}
