using System.Diagnostics.Metrics;
using System.Globalization;
using FastIngest.Core.Internal;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Syslog;

/// <summary>
/// The syslog doors' numbers: UDP datagrams, bytes and the kernel's drops on our socket, TCP
/// connections and frames. Instrument names are the Prometheus names <c>/metrics</c> exports.
/// </summary>
internal sealed class SyslogMetrics(UdpSyslogReceiver udp, TcpSyslogAdmission admission, TcpSyslogConnectionHandler tcp, IOptions<SyslogOptions> options) : IMetricsPublisher
{
    public void Publish(Meter meter)
    {
        meter.CreateObservableCounter("fastingest_udp_datagrams_total", () => udp.Datagrams, description: "UDP syslog datagrams received.");
        meter.CreateObservableCounter("fastingest_udp_bytes_total", () => udp.Bytes, description: "UDP syslog bytes received.");
        // Not published at all without a UDP socket or off Linux, as /metrics has always left it out there.
        if (options.Value.UdpPort != 0 && (File.Exists("/proc/net/udp") || File.Exists("/proc/net/udp6")))
        {
            meter.CreateObservableCounter("fastingest_udp_kernel_drops_total", KernelDrops, description: "Datagrams the kernel dropped on the syslog socket (/proc/net/udp).");
        }

        meter.CreateObservableCounter("fastingest_tcp_connections_total", () => admission.Connections, description: "TCP syslog connections accepted.");
        meter.CreateObservableCounter("fastingest_tcp_connections_refused_total", () => admission.RefusedConnections, description: "TCP syslog connections refused past TcpMaxConnections.");
        meter.CreateObservableGauge("fastingest_tcp_open_connections", () => admission.OpenConnections, description: "TCP syslog connections open.");
        meter.CreateObservableCounter("fastingest_tcp_messages_total", () => tcp.Messages, description: "TCP syslog frames read.");
        meter.CreateObservableCounter("fastingest_tcp_frame_timeouts_total", () => tcp.FrameTimeouts, description: "TCP and TLS syslog connections closed because a frame was not complete within FrameTimeout.");
        meter.CreateObservableCounter("fastingest_syslog_refused_total", Refusals, description: "Syslog datagrams and connections refused before reading, by transport and reason.");
    }

    /// <summary>What the doors refused unread: a datagram or connection from outside AllowedSources, a connection past a cap.</summary>
    private Measurement<long>[] Refusals() =>
    [
        Refusal(udp.RefusedSource, "udp", "source"),
        Refusal(admission.RefusedSource, "tcp", "source"),
        Refusal(admission.RefusedConnections, "tcp", "connections"),
        Refusal(admission.RefusedPerAddress, "tcp", "per_address"),
    ];

    private static Measurement<long> Refusal(long value, string transport, string reason) =>
        new(value, new KeyValuePair<string, object?>("transport", transport), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>No measurement before the socket is bound or off Linux (no /proc/net/udp).</summary>
    private IEnumerable<Measurement<long>> KernelDrops() =>
        udp.LocalEndPoint is { } endPoint && KernelUdpDrops(endPoint.Port) is { } drops ? [new Measurement<long>(drops)] : [];

    /// <summary>The <c>drops</c> column of the socket bound to <paramref name="port"/>; null off Linux.</summary>
    private static long? KernelUdpDrops(int port)
    {
        foreach (string file in new[] { "/proc/net/udp", "/proc/net/udp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            string hexPort = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
            foreach (string line in File.ReadLines(file).Skip(1))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 12 && fields[1].EndsWith(hexPort, StringComparison.Ordinal))
                {
                    return long.Parse(fields[^1], CultureInfo.InvariantCulture);
                }
            }
        }

        return null;
    }
}
