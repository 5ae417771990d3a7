using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Nodes;

/// <summary>
/// Real HAProxy 2.6 (Debian's haproxy) running deploy/balancer/haproxy.cfg in the foreground in front of
/// FastIngest nodes on loopback: TCP syslog, the pixel port and the API on free ports of its own.
/// </summary>
internal sealed class HaproxyBalancer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempFolder _folder;
    private readonly ProcessOutput _output;

    private HaproxyBalancer(Process process, TempFolder folder, int syslogPort, int pixelPort, int apiPort)
    {
        _process = process;
        _folder = folder;
        _output = new ProcessOutput(process, maxChars: 64 * 1024);
        SyslogPort = syslogPort;
        PixelPort = pixelPort;
        ApiPort = apiPort;
    }

    public static string Haproxy => File.Exists("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy";

    public int SyslogPort { get; }

    public int PixelPort { get; }

    public int ApiPort { get; }

    public Uri ApiUri => new($"http://127.0.0.1:{ApiPort}");

    public string Output => _output.ToString();

    public static async Task<HaproxyBalancer> StartAsync(IReadOnlyList<ServerProcess> nodes)
    {
        var folder = new TempFolder("haproxy");
        int syslog = FreePorts.Tcp(), pixel = FreePorts.Tcp(), api = FreePorts.Tcp();
        string config = Path.Combine(folder.Path, "haproxy.cfg");
        File.WriteAllText(config, BalancerConfigs.Haproxy(syslog, pixel, api,
            [.. nodes.Select(n => n.TcpPort)], [.. nodes.Select(n => n.PixelPort)], [.. nodes.Select(n => n.HttpPort)]));
        Process process = ForegroundProcess.Start(Haproxy, "-db", "-f", config);
        var balancer = new HaproxyBalancer(process, folder, syslog, pixel, api);
        try
        {
            // HAProxy binds every frontend before it serves; a bare connect to the API frontend sends no
            // request, so no node sees it.
            await Eventually.UntilAsync(
                async () =>
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException("haproxy exited: " + balancer.Output);
                    }

                    try
                    {
                        using var probe = new TcpClient();
                        await probe.ConnectAsync(IPAddress.Loopback, api);
                        return true;
                    }
                    catch (SocketException)
                    {
                        return false;
                    }
                },
                up => up, TimeSpan.FromSeconds(10), "HAProxy to listen");
            return balancer;
        }
        catch
        {
            await balancer.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ForegroundProcess.StopAsync(_process);
        _folder.Dispose();
    }
}
