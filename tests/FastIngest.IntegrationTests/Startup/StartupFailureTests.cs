using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Startup;

/// <summary>
/// A start that cannot succeed (a bad setting, a port taken, a state folder that cannot be written)
/// ends with exit code 78 and one line on stderr naming the key, port or path, and no stack trace.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class StartupFailureTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private const int StartupFailureExitCode = 78;

    [Fact]
    public async Task ASettingThatDoesNotParseNamesItsKey()
    {
        string line = await FailedStartLineAsync(ServerArgs("--FastIngest:Syslog:UdpPort=abc"));
        Assert.Contains("'FastIngest:Syslog:UdpPort'", line, StringComparison.Ordinal);
        Assert.Contains("abc", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASettingOutOfRangeNamesItsKeyAndTheRange()
    {
        string line = await FailedStartLineAsync(ServerArgs("--FastIngest:Syslog:UdpPort=70000"));
        Assert.Contains("FastIngest:Syslog:UdpPort must be between 0 and 65535", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMalformedClickHouseUrlNamesItsKey()
    {
        string line = await FailedStartLineAsync(ServerArgs("--FastIngest:ClickHouse:Url=localhost:8123"));
        Assert.Contains("FastIngest:ClickHouse:Url 'localhost:8123'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClickHouseShardReplicaThatIsNoUrlNamesItsKey()
    {
        string line = await FailedStartLineAsync(ServerArgs("--FastIngest:ClickHouse:Shards:0:Replicas:0=localhost:8123"));
        Assert.Contains("FastIngest:ClickHouse:Shards:0:Replicas:0 'localhost:8123' is not an absolute http:// or https:// URL", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALogFormatTheMatcherCannotReadNamesTheFormatAndTheProblem()
    {
        string line = await FailedStartLineAsync(ServerArgs("--FastIngest:Formats:main='$remote_addr$remote_user [$time_local] $status'"));
        Assert.Contains("FastIngest:Formats:main: log format 'main': $remote_addr and $remote_user have no text between them", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASyslogTagMappedToAnUnknownFormatNamesItsKey()
    {
        string line = await FailedStartLineAsync(ServerArgs("--FastIngest:Syslog:FormatByTag:shop=main"));
        Assert.Contains("FastIngest:Syslog:FormatByTag:shop: no format 'main' under FastIngest:Formats", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvalidTenantNameNamesItsKey()
    {
        string line = await FailedStartLineAsync(ServerArgs("--FastIngest:Tenants:no spaces:ApiKeys:0=secret"));
        Assert.Contains("FastIngest:Tenants:no spaces is not a valid tenant name", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileSourceWithAnUnknownFormatNamesItsKey()
    {
        string line = await FailedStartLineAsync(ServerArgs("--FastIngest:Files:Sources:0:Path=/var/log/nginx/access.log", "--FastIngest:Files:Sources:0:Format=xml"));
        Assert.Contains("FastIngest:Files:Sources:0:Format must be auto, json or combined", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AUdpPortInUseNamesThePort()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        string line = await FailedStartLineAsync(ServerArgs($"--FastIngest:Syslog:UdpPort={port}"));
        Assert.Contains("FastIngest:Syslog:UdpPort", line, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AUdpPortInUseFailsASeveralSocketStartToo()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        string line = await FailedStartLineAsync(ServerArgs($"--FastIngest:Syslog:UdpPort={port}", "--FastIngest:Syslog:UdpReceivers=2"));
        Assert.Contains($"FastIngest:Syslog:UdpPort: cannot listen on UDP 127.0.0.1:{port}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecondServerOnTheSameUdpPortFailsToStartWhileTheFirstKeepsReceiving()
    {
        string db = UniqueName.For("udp_twice");
        await using ServerProcess first = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Syslog:UdpReceivers=2");

        // Both with SO_REUSEPORT sockets of the same user: the kernel would let the second join the first's group.
        string line = await FailedStartLineAsync(ServerArgs($"--FastIngest:Syslog:UdpPort={first.UdpPort}", "--FastIngest:Syslog:UdpReceivers=2"));
        Assert.Contains($"FastIngest:Syslog:UdpPort: cannot listen on UDP 127.0.0.1:{first.UdpPort}", line, StringComparison.Ordinal);
        Assert.Contains("in use", line, StringComparison.OrdinalIgnoreCase);

        var lines = new NginxLines(seed: 15);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var senders = new Socket[8];
        for (int i = 0; i < senders.Length; i++)
        {
            senders[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            senders[i].Connect(new IPEndPoint(IPAddress.Loopback, first.UdpPort));
            for (int n = 0; n < 50; n++)
            {
                senders[i].Send(NginxLineBuilder.SyslogDatagram("shop", lines.Line("shop", now), withHostname: false));
            }
        }

        await Eventually.UntilAsync(() => first.MetricAsync("fastingest_udp_datagrams_total"), n => n == 400, TimeSpan.FromSeconds(30), "every datagram read by the first server");
        Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(60)));
        await TrafficTotals.AssertAsync(clickHouse, db, lines.Expected);
        foreach (Socket sender in senders)
        {
            sender.Dispose();
        }
    }

    [Fact]
    public async Task AnHttpPortInUseNamesThePort()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        string line = await FailedStartLineAsync(ServerArgs($"--FastIngest:Http:Port={port}"));
        Assert.Contains("FastIngest:Http:Port", line, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("address already in use", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStateDirectoryUnderAFileNamesThePath()
    {
        string file = Path.Combine(Path.GetTempPath(), "fastingest-not-a-folder-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllTextAsync(file, "a file, not a folder");
        try
        {
            string state = Path.Combine(file, "state");
            string line = await FailedStartLineAsync(ServerArgs($"--FastIngest:StateDirectory={state}"));
            Assert.Contains("FastIngest:StateDirectory", line, StringComparison.Ordinal);
            Assert.Contains(state, line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ImportWithABadSettingNamesItsKey()
    {
        string log = Path.Combine(Path.GetTempPath(), "fastingest-import-bad-" + Guid.NewGuid().ToString("N")[..8] + ".log");
        await File.WriteAllTextAsync(log, "");
        try
        {
            string line = await FailedStartLineAsync(
                [ServerProcess.ServerDll(), "import", "--format", "combined", "--tenant", "cdn", log, "--FastIngest:ClickHouse:Url=localhost:8123",
                    $"--FastIngest:StateDirectory={Path.Combine(Path.GetTempPath(), "fastingest-state-" + Guid.NewGuid().ToString("N")[..8])}"]);
            Assert.StartsWith("import cannot start: ", line, StringComparison.Ordinal);
            Assert.Contains("FastIngest:ClickHouse:Url 'localhost:8123'", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(log);
        }
    }

    /// <summary>The server with free loopback ports, the private ClickHouse and its own state, then <paramref name="extra"/>.</summary>
    private string[] ServerArgs(params string[] extra) =>
    [
        ServerProcess.ServerDll(),
        "--FastIngest:Syslog:BindAddress=127.0.0.1",
        $"--FastIngest:Syslog:UdpPort={FreePorts.Udp()}",
        $"--FastIngest:Syslog:TcpPort={FreePorts.Tcp()}",
        "--FastIngest:Http:BindAddress=127.0.0.1",
        $"--FastIngest:Http:Port={FreePorts.Tcp()}",
        $"--FastIngest:Pixel:Port={FreePorts.Tcp()}",
        $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{clickHouse.HttpPort}",
        "--FastIngest:ClickHouse:Database=startup_" + Guid.NewGuid().ToString("N")[..8],
        $"--FastIngest:StateDirectory={Path.Combine(Path.GetTempPath(), "fastingest-state-" + Guid.NewGuid().ToString("N")[..8])}",
        .. extra,
    ];

    /// <summary>Runs the process to its exit; asserts exit code 78, one stderr line and no stack trace; returns the line.</summary>
    private async Task<string> FailedStartLineAsync(string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using Process process = Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("the server did not exit: it started despite the bad setting?\n" + await stdout + await stderr);
            }
        }

        string errors = await stderr;
        string all = await stdout + errors;
        output.WriteLine($"exit {process.ExitCode}\n{all}");
        Assert.Equal(StartupFailureExitCode, process.ExitCode);
        Assert.DoesNotContain("   at ", all, StringComparison.Ordinal);
        return Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
