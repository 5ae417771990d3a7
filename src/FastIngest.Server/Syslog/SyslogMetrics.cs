using System.Diagnostics.Metrics;
using System.Globalization;
using FastIngest.Core.Internal;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Syslog;

/// <summary>
/// The syslog doors' numbers: UDP datagrams, bytes and the kernel's drops on each of our sockets, TCP
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

    /// <summary>
    /// One measurement per receive socket, labelled <c>socket</c> (its index); none before the sockets are
    /// bound or off Linux. Read from <c>/proc/net/udp(6)</c> at each scrape rather than from
    /// <c>SO_RXQ_OVFL</c> ancillary data, which would cost a control buffer and a parse per datagram.
    /// </summary>
    private Measurement<long>[] KernelDrops()
    {
        IReadOnlyList<UdpReceiveLoop> loops = udp.Loops;
        if (loops.Count == 0)
        {
            return [];
        }

        Dictionary<long, long> dropsByInode = KernelUdpDropsByInode();
        var measurements = new List<Measurement<long>>(loops.Count);
        foreach (UdpReceiveLoop loop in loops)
        {
            if (loop.SocketInode is { } inode && dropsByInode.TryGetValue(inode, out long drops))
            {
                measurements.Add(new Measurement<long>(drops, new KeyValuePair<string, object?>("socket", loop.Index.ToString(CultureInfo.InvariantCulture))));
            }
        }

        return [.. measurements];
    }

    /// <summary>The <c>drops</c> column of every UDP socket of this network namespace, by inode.</summary>
    private static Dictionary<long, long> KernelUdpDropsByInode()
    {
        // Rows: "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops".
        var drops = new Dictionary<long, long>();
        foreach (string file in new[] { "/proc/net/udp", "/proc/net/udp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            foreach (string line in File.ReadLines(file).Skip(1))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 12
                    && long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out long inode)
                    && long.TryParse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture, out long dropped))
                {
                    drops[inode] = dropped;
                }
            }
        }

        return drops;
    }
}
