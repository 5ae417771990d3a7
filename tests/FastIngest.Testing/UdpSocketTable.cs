using System.Globalization;

namespace FastIngest.Testing;

/// <summary>
/// The kernel's table of IPv4 UDP sockets (<c>/proc/net/udp</c>), for what a test cannot learn by sending:
/// whether something is bound to a port, and whether datagrams still wait unread in its receive queue.
/// </summary>
internal static class UdpSocketTable
{
    /// <summary>
    /// Bytes queued unread on the sockets bound to 127.0.0.1:<paramref name="port"/> (summed: the UDP
    /// receiver binds several with SO_REUSEPORT), or null when nothing is bound there.
    /// </summary>
    public static long? ReceiveQueueBytes(int port)
    {
        // Rows: "sl local_address rem_address st tx_queue:rx_queue ...", addresses as little-endian hex,
        // 127.0.0.1:PORT as "0100007F:PORT", the queues in hex.
        string local = "0100007F:" + port.ToString("X4", CultureInfo.InvariantCulture);
        long? queued = null;
        foreach (string line in File.ReadLines("/proc/net/udp"))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 4 && fields[1] == local)
            {
                queued = (queued ?? 0) + long.Parse(fields[4][(fields[4].IndexOf(':', StringComparison.Ordinal) + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }

        return queued;
    }
}
