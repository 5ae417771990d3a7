using System.Net;
using System.Net.Sockets;

namespace FastIngest.LoadGen;

/// <summary>
/// One datagram per NGINX line, as NGINX's syslog output sends them. A connected socket and a
/// synchronous <see cref="Socket.Send(ReadOnlySpan{byte})"/>: one syscall and no allocation per datagram.
/// </summary>
internal sealed class UdpSender(IPEndPoint target, byte[][] datagrams) : ISender
{
    public string Unit => "datagrams";

    public Task<long> RunAsync(long rate, long count, TimeSpan duration)
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.SendBufferSize = 4 * 1024 * 1024;
        socket.Connect(target);
        var pacer = new Pacer(rate, count, duration);
        int next = 0;
        long refused = 0;
        long due;
        while ((due = pacer.Due(256)) > 0)
        {
            for (long i = 0; i < due; i++)
            {
                try
                {
                    socket.Send(datagrams[next]);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.NoBufferSpaceAvailable)
                {
                    // ICMP port unreachable of an earlier datagram (nobody listening yet), or a full
                    // local queue: the datagram counts as sent and lost, like a real sender's would.
                    refused++;
                }

                next = next + 1 == datagrams.Length ? 0 : next + 1;
            }

            pacer.Took(due);
        }

        if (refused > 0)
        {
            Console.WriteLine($"  {refused} sends refused by the local stack (counted as sent)");
        }

        return Task.FromResult(pacer.Sent);
    }
}
