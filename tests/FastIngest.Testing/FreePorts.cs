using System.Net;
using System.Net.Sockets;

namespace FastIngest.Testing;

/// <summary>
/// Loopback ports nothing uses right now, picked by the kernel (bind to port 0, read the port, let go).
/// Another process may take one before the test binds it; on a test machine that is rare enough to accept.
/// Within this process a port is handed out once: the kernel may pick the same free port for two binds in
/// a row, and a server given it twice (its HTTP and TCP syslog ports) failed to start.
/// </summary>
internal static class FreePorts
{
    private static readonly HashSet<int> s_handedOut = [];

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on.</summary>
    public static int Tcp() => Unique(static () =>
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    });

    /// <summary>A UDP port on 127.0.0.1 that nothing is bound to.</summary>
    public static int Udp() => Unique(static () =>
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    });

    private static int Unique(Func<int> pick)
    {
        lock (s_handedOut)
        {
            while (true)
            {
                int port = pick();
                if (s_handedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
