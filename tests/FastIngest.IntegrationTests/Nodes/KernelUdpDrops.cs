namespace FastIngest.IntegrationTests.Nodes;

/// <summary>
/// Datagrams the kernel dropped because a receiving socket's buffer was full (<c>Udp: RcvbufErrors</c> of
/// /proc/net/snmp, the whole machine): when a UDP total comes up short, this says whether a socket overflowed
/// (a balancer's or a node's) or FastIngest lost what it received.
/// </summary>
internal static class KernelUdpDrops
{
    public static long Now()
    {
        string[] udp = File.ReadAllLines("/proc/net/snmp").Where(l => l.StartsWith("Udp: ", StringComparison.Ordinal)).ToArray();
        int column = Array.IndexOf(udp[0].Split(' '), "RcvbufErrors");
        return long.Parse(udp[1].Split(' ')[column], System.Globalization.CultureInfo.InvariantCulture);
    }
}
