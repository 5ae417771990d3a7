using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// The real FastIngest server as a child process (the build output of src/FastIngest.Server), on free
/// loopback ports, writing to a private ClickHouse. Stopped with a real SIGTERM.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessOutput _output;
    private readonly TempFolder _state;

    private ServerProcess(Process process, TempFolder state, int udpPort, int tcpPort, int httpPort, int pixelPort, string database)
    {
        _process = process;
        _output = new ProcessOutput(process);
        _state = state;
        UdpPort = udpPort;
        TcpPort = tcpPort;
        HttpPort = httpPort;
        PixelPort = pixelPort;
        Database = database;
    }

    public int UdpPort { get; }

    /// <summary>TCP syslog.</summary>
    public int TcpPort { get; }

    public int HttpPort { get; }

    /// <summary>The pixel on the connection (FastIngest:Pixel:Port).</summary>
    public int PixelPort { get; }

    public string Database { get; }

    public int ProcessId => _process.Id;

    public Uri HttpUri => new($"http://127.0.0.1:{HttpPort}");

    public Uri PixelUri => new($"http://127.0.0.1:{PixelPort}");

    /// <summary>What the server printed so far (its log).</summary>
    public string Output => _output.ToString();

    /// <summary>
    /// An argument for a test that sends fixed-date data (the NGINX corpus, the events contract's
    /// examples) through live doors: a hundred years of lateness, so the data counts however long ago
    /// its day is. Tests of the time window itself leave the default.
    /// </summary>
    public const string AnyLateness = "--FastIngest:Aggregation:MaxLateness=36500.00:00:00";

    public static Task<ServerProcess> StartAsync(PrivateClickHouse clickHouse, string database, params string[] extraArgs) =>
        StartAsync(clickHouse.HttpUri, database, extraArgs);

    /// <summary>The server against modern ClickHouse (chDB behind its HTTP interface).</summary>
    public static Task<ServerProcess> StartAsync(ModernClickHouse clickHouse, string database, params string[] extraArgs) =>
        StartAsync(clickHouse.HttpUri, database, extraArgs);

    private static async Task<ServerProcess> StartAsync(Uri clickHouse, string database, string[] extraArgs)
    {
        int udpPort = FreePorts.Udp();
        int httpPort = FreePorts.Tcp();
        int tcpPort = FreePorts.Tcp();
        int pixelPort = FreePorts.Tcp();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        psi.ArgumentList.Add(ServerDll());
        psi.ArgumentList.Add("--FastIngest:Syslog:BindAddress=127.0.0.1");
        psi.ArgumentList.Add($"--FastIngest:Syslog:UdpPort={udpPort}");
        psi.ArgumentList.Add($"--FastIngest:Syslog:TcpPort={tcpPort}");
        psi.ArgumentList.Add("--FastIngest:Http:BindAddress=127.0.0.1");
        psi.ArgumentList.Add($"--FastIngest:Http:Port={httpPort}");
        psi.ArgumentList.Add($"--FastIngest:Pixel:Port={pixelPort}");
        psi.ArgumentList.Add($"--FastIngest:ClickHouse:Url=http://127.0.0.1:{clickHouse.Port}");
        psi.ArgumentList.Add($"--FastIngest:ClickHouse:Database={database}");
        // State of its own (Idempotency-Keys, spool), never the repository's .data; a test may pass its own after this.
        var state = new TempFolder("state");
        psi.ArgumentList.Add($"--FastIngest:StateDirectory={state.Path}");
        // Tests date their traffic on fixed days (the corpus, the contract's examples); retention would expire
        // them as the calendar moves on, so it is off unless a test turns it on (the retention tests do).
        psi.ArgumentList.Add("--FastIngest:Retention:Enabled=false");
        foreach (string arg in extraArgs)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        Process process = Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start");
        var server = new ServerProcess(process, state, udpPort, tcpPort, httpPort, pixelPort, database);
        try
        {
            await server.WaitHealthyAsync(TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends SIGTERM and waits for the process to exit; returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!Signals.Terminate(_process.Id))
        {
            throw new InvalidOperationException($"kill(SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no graceful stop, no flush; what the process had in memory is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// The value of <paramref name="name"/> in <c>/metrics</c>; with labels, the sum over them. 0 when absent
    /// (a labelled counter has no line until its first count).
    /// </summary>
    public async Task<double> MetricAsync(string name)
    {
        using var http = new HttpClient { BaseAddress = HttpUri, Timeout = TimeSpan.FromSeconds(10) };
        string text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        double sum = 0;
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal))
            {
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    /// <summary><c>GET /health</c>: its status and its JSON, whatever the status.</summary>
    public async Task<ServerHealth> HealthAsync()
    {
        using var http = new HttpClient { BaseAddress = HttpUri, Timeout = TimeSpan.FromSeconds(10) };
        using HttpResponseMessage response = await http.GetAsync(new Uri("/health", UriKind.Relative));
        using JsonDocument health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new ServerHealth(response.StatusCode, health.RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _state.Dispose();
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Eventually.UntilAsync(
                async () =>
                {
                    if (_process.HasExited)
                    {
                        throw new InvalidOperationException($"FastIngest exited with {_process.ExitCode}:\n{Output}");
                    }

                    try
                    {
                        using HttpResponseMessage response = await http.GetAsync(new Uri(HttpUri, "/health"));
                        return response.StatusCode.ToString();
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        return e.Message;
                    }
                },
                answer => answer == nameof(HttpStatusCode.OK), timeout, "FastIngest to answer /health with 200");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Output}", e);
        }
    }

    internal static string ServerDll()
    {
        // Same configuration as the tests themselves (Release under ./test.sh, Debug in an IDE).
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release"
            : "Debug";
        string dll = Path.Combine(RepoPaths.Root, "src", "FastIngest.Server", "bin", configuration, "net10.0", "FastIngest.Server.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the server first", dll);
    }
}
