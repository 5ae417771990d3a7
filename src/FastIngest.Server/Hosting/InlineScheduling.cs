namespace FastIngest.Server.Hosting;

/// <summary>
/// Inline scheduling: socket completions and Kestrel's connection code run on the socket engine's threads
/// instead of handing every read to the thread pool. On by default (<c>FastIngest:Http:InlineScheduling</c>):
/// it takes more than a quarter off a pixel request's CPU (bench/README.md "Pixel port"). It has two halves, both
/// process-wide: the runtime's inline socket completions, which System.Net.Sockets reads once, from the
/// environment only (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>, SocketAsyncEngine.Unix.cs; there is
/// no runtimeconfig switch), and Kestrel's <c>UnsafePreferInlineScheduling</c> (per transport, so per server).
/// </summary>
/// <remarks>
/// <see cref="Apply"/> sets the variable in the process's environment before any socket exists: on Unix
/// .NET reads its own managed copy of the environment, which <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// changes (InlineSchedulingTests checks the runtime took it: one socket engine thread per processor).
/// Nothing may block on a socket thread then: the doors await the shards' backpressure, TCP syslog hands
/// over set-aside batches before reading on (TcpSyslogConnectionHandler), and the ClickHouse client leaves
/// the socket thread after each response (Core/ClickHouse/OffSocketThreadHandler.cs; without it the start
/// hung on the schema's first request).
/// </remarks>
internal static class InlineScheduling
{
    /// <summary>The runtime's switch; "1" turns inline socket completions on.</summary>
    public const string EnvironmentVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>The setting, read before the host exists (<see cref="Http.HttpOptions.InlineScheduling"/> binds the same key).</summary>
    public const string ConfigurationKey = Http.HttpOptions.SectionName + ":" + nameof(Http.HttpOptions.InlineScheduling);

    /// <summary>Whether inline scheduling is on for this process (what <see cref="Apply"/> decided).</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(EnvironmentVariable) == "1";

    /// <summary>
    /// Turns the runtime's half on or off from the setting (default on). Must run before the first socket
    /// of the process: the runtime reads the variable once, when its socket engine starts. A value that is
    /// not a boolean leaves the default here; binding <see cref="Http.HttpOptions"/> then fails the start
    /// naming the key.
    /// </summary>
    public static void Apply(IConfiguration configuration)
    {
        bool on = !bool.TryParse(configuration[ConfigurationKey], out bool configured) || configured;
        Environment.SetEnvironmentVariable(EnvironmentVariable, on ? "1" : "0");
    }
}
