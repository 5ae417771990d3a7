using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A private standalone ZooKeeper (Debian's <c>zookeeper</c> 3.8, which test.sh installs) on a free loopback
/// port with its data in a folder of ours, for replicated tables and ON CLUSTER on ClickHouse 18.16; never
/// the system service.
/// </summary>
public sealed class PrivateZooKeeper : IAsyncDisposable
{
    private const string Jar = "/usr/share/java/zookeeper.jar";

    private readonly Process _process;
    private readonly string _dataDir;

    private PrivateZooKeeper(Process process, int port, string dataDir)
    {
        _process = process;
        Port = port;
        _dataDir = dataDir;
    }

    public int Port { get; }

    /// <summary>Whether Debian's ZooKeeper is there (test.sh installs it; a test without it fails saying so).</summary>
    public static bool Installed => File.Exists(Jar);

    public static async Task<PrivateZooKeeper> StartAsync()
    {
        if (!Installed)
        {
            throw new InvalidOperationException($"{Jar} is missing: install Debian's zookeeper package (./test.sh does)");
        }

        int port = FreePorts.Tcp();
        string dataDir = RepoPaths.Combine(".data", $"test-zookeeper-{port}");
        Directory.CreateDirectory(dataDir);
        var psi = new ProcessStartInfo("java")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Standalone, one port, no admin server (it would take 8080), and the one four-letter word the
        // readiness check asks: srvr, whose "Mode:" line shows the server serves (ruok's imok does not: a
        // server still starting answers it and closes session requests, as a busy machine showed).
        foreach (string arg in new[]
        {
            "-Xmx256m", "-Dzookeeper.admin.enableServer=false", "-Dzookeeper.4lw.commands.whitelist=srvr",
            "-cp", "/etc/zookeeper/conf:" + Jar, "org.apache.zookeeper.server.ZooKeeperServerMain",
            port.ToString(System.Globalization.CultureInfo.InvariantCulture), dataDir,
        })
        {
            psi.ArgumentList.Add(arg);
        }

        Process process = Process.Start(psi) ?? throw new InvalidOperationException("java did not start");
        var output = new ProcessOutput(process, maxChars: 20_000);
        var zooKeeper = new PrivateZooKeeper(process, port, dataDir);
        try
        {
            await Eventually.UntilAsync(
                async () => process.HasExited ? throw new InvalidOperationException("ZooKeeper exited: " + output) : await zooKeeper.AskAsync("srvr"),
                reply => reply.Contains("Mode: standalone", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60),
                $"ZooKeeper serves on port {port}",
                TimeSpan.FromMilliseconds(100));
        }
        catch
        {
            await zooKeeper.DisposeAsync();
            throw;
        }

        return zooKeeper;
    }

    public async ValueTask DisposeAsync()
    {
        await ForegroundProcess.StopAsync(_process);
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<string> AskAsync(string word)
    {
        // Bounded: a ZooKeeper still starting may take the connection and never answer (seen once,
        // the test run then hung); the next look asks again.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(word), timeout.Token);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            return await reader.ReadToEndAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return "";
        }
        catch (SocketException)
        {
            return "";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
