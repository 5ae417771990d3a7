using System.Text.RegularExpressions;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Nodes;

/// <summary>
/// The balancer configs of deploy/balancer/ as a test runs them: the two example nodes (10.0.0.11 and
/// 10.0.0.12) and the listening ports moved to the test's loopback ports, the pid and log files into a
/// temporary folder. Nothing else changes, so a test exercises the file an operator copies.
/// </summary>
internal static partial class BalancerConfigs
{
    /// <summary>deploy/balancer/nginx-stream.conf for NGINX's <c>-p prefix</c>.</summary>
    /// <param name="udpNodes">The nodes' UDP syslog ports, in the config's order.</param>
    /// <param name="tcpNodes">The nodes' TCP syslog ports.</param>
    public static string NginxStream(string prefix, int udpPort, int tcpPort, int[] udpNodes, int[] tcpNodes)
    {
        string config = File.ReadAllText(RepoPaths.Combine("deploy", "balancer", "nginx-stream.conf"));
        config = Replace(config, "pid /run/nginx-fastingest-balancer.pid;", $"pid {prefix}/nginx.pid;");
        config = Replace(config, "error_log /var/log/nginx/fastingest-balancer.error.log notice;", $"error_log {prefix}/error.log notice;");
        config = Replace(config, "listen 5514 udp ", $"listen 127.0.0.1:{udpPort} udp ");
        config = Replace(config, "listen 5514;", $"listen 127.0.0.1:{tcpPort};");
        config = Upstream(config, "upstream fastingest_syslog_udp", udpNodes);
        return Upstream(config, "upstream fastingest_syslog_tcp", tcpNodes);
    }

    /// <summary>deploy/balancer/haproxy.cfg with its three frontends on the given ports and the nodes' ports.</summary>
    public static string Haproxy(int syslogPort, int pixelPort, int apiPort, int[] syslogNodes, int[] pixelNodes, int[] apiNodes)
    {
        string config = File.ReadAllText(RepoPaths.Combine("deploy", "balancer", "haproxy.cfg"));
        config = Replace(config, "log /dev/log local0", "log stderr local0");
        config = Replace(config, "bind :5514", $"bind 127.0.0.1:{syslogPort}");
        config = Replace(config, "bind :8081", $"bind 127.0.0.1:{pixelPort}");
        config = Replace(config, "bind :8080", $"bind 127.0.0.1:{apiPort}");
        config = Servers(config, ":5514", syslogNodes);
        config = Servers(config, ":8081", pixelNodes);
        return Servers(config, ":8080", apiNodes);
    }

    private static string Replace(string config, string what, string with)
    {
        Assert.Contains(what, config, StringComparison.Ordinal);
        return config.Replace(what, with, StringComparison.Ordinal);
    }

    /// <summary>The <c>server 10.0.0.1N:5514…;</c> lines of one upstream block, in order, to 127.0.0.1 and the given ports.</summary>
    private static string Upstream(string config, string header, int[] ports)
    {
        int start = config.IndexOf(header, StringComparison.Ordinal);
        Assert.True(start >= 0, header);
        int end = config.IndexOf('}', start);
        int node = 0;
        string block = NginxServer().Replace(config[start..end], m => $"server 127.0.0.1:{ports[node++]}");
        Assert.Equal(ports.Length, node);
        return config[..start] + block + config[end..];
    }

    /// <summary>HAProxy's <c>server nodeN 10.0.0.1N{suffix}</c> lines, in order, to 127.0.0.1 and the given ports.</summary>
    private static string Servers(string config, string suffix, int[] ports)
    {
        int node = 0;
        string replaced = Regex.Replace(config, @"10\.0\.0\.1[12]" + Regex.Escape(suffix) + @"\b", _ => $"127.0.0.1:{ports[node++]}");
        Assert.Equal(ports.Length, node);
        return replaced;
    }

    [GeneratedRegex(@"server 10\.0\.0\.1[12]:5514")]
    private static partial Regex NginxServer();
}
