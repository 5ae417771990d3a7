using System.Net;
using System.Net.Sockets;
using FastIngest.Server.Syslog;
using FastIngest.Server.Syslog.Interop;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Hosting;

/// <summary>
/// With <see cref="SyslogOptions.ReusePort"/>, Kestrel's listening sockets for TCP syslog and syslog over TLS
/// get <c>SO_REUSEPORT</c> before they bind, so several FastIngest processes on one host listen on the same
/// port and the kernel hands each new connection to one of them (docs/scaling-out.md). Kestrel binds inside
/// its own factory, so the option can only go in by replacing that factory; every other listener (HTTP,
/// pixel, management) is bound exactly as Kestrel's default does.
/// </summary>
internal sealed class SyslogListenSocketSetup(IOptions<SyslogOptions> syslog) : IConfigureOptions<SocketTransportOptions>
{
    public void Configure(SocketTransportOptions options)
    {
        SyslogOptions syslogOptions = syslog.Value;
        if (!syslogOptions.ReusePort || (syslogOptions.TcpPort == 0 && syslogOptions.TlsPort == 0))
        {
            return;
        }

        IPAddress address = IPAddress.Parse(syslogOptions.BindAddress);
        int tcpPort = syslogOptions.TcpPort, tlsPort = syslogOptions.TlsPort;
        options.CreateBoundListenSocket = endPoint =>
            endPoint is IPEndPoint ip && ip.Address.Equals(address) && ip.Port != 0 && (ip.Port == tcpPort || ip.Port == tlsPort)
                ? BindShared(ip)
                : SocketTransportOptions.CreateDefaultBoundListenSocket(endPoint);
    }

    /// <summary>What Kestrel's default does for an <see cref="IPEndPoint"/>, with <c>SO_REUSEPORT</c> set first.</summary>
    internal static Socket BindShared(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                // As Kestrel's default: [::] takes IPv4 too.
                socket.DualMode = true;
            }

            // Linux spreads new connections over every listening socket of the same user that set the
            // option before its bind; a socket without it (another program) still makes the bind fail.
            LibC.SetReusePort(socket);
            socket.Bind(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
