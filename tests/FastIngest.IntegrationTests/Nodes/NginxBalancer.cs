using System.Diagnostics;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Nodes;

/// <summary>
/// Real NGINX (Debian's nginx with libnginx-mod-stream) running deploy/balancer/nginx-stream.conf in front of
/// FastIngest nodes on loopback: syslog over UDP and TCP on free ports of its own.
/// </summary>
internal sealed class NginxBalancer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempFolder _prefix;

    private NginxBalancer(Process process, TempFolder prefix, int udpPort, int tcpPort)
    {
        _process = process;
        _prefix = prefix;
        UdpPort = udpPort;
        TcpPort = tcpPort;
    }

    public int UdpPort { get; }

    public int TcpPort { get; }

    public static string Nginx => File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";

    public static async Task<NginxBalancer> StartAsync(int[] udpNodes, int[] tcpNodes)
    {
        var prefix = new TempFolder("balancer");
        int udpPort = FreePorts.Udp(), tcpPort = FreePorts.Tcp();
        string config = Path.Combine(prefix.Path, "nginx.conf");
        File.WriteAllText(config, BalancerConfigs.NginxStream(prefix.Path, udpPort, tcpPort, udpNodes, tcpNodes));
        Process process = ForegroundProcess.Start(Nginx, "-p", prefix.Path + "/", "-c", config, "-g", "daemon off;");
        var balancer = new NginxBalancer(process, prefix, udpPort, tcpPort);
        try
        {
            // The master binds every listening socket while it reads the config, before it starts a worker;
            // a probe connection would reach a node and be counted there.
            string errorLog = Path.Combine(prefix.Path, "error.log");
            await Eventually.UntilAsync(
                () =>
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException("nginx exited: " + process.StandardError.ReadToEnd() + (File.Exists(errorLog) ? File.ReadAllText(errorLog) : ""));
                    }

                    return File.Exists(errorLog) ? File.ReadAllText(errorLog) : "";
                },
                log => log.Contains("start worker process", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the NGINX balancer to start a worker");
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
        _prefix.Dispose();
    }
}
