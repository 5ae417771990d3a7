using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FastIngest.LoadGen;

/// <summary>
/// The same syslog messages over TCP with octet counting (<c>LEN SP MSG</c>, RFC 6587). Frames are
/// gathered into 64 KiB writes, as a relay (rsyslog omfwd) does; each connection paces its share.
/// </summary>
internal sealed class TcpSyslogSender(IPEndPoint target, byte[][] messages, int connections) : ISender
{
    private const int WriteBytes = 64 * 1024;

    private readonly byte[][] _frames = messages
        .Select(m => (byte[])[.. Encoding.ASCII.GetBytes(m.Length.ToString(CultureInfo.InvariantCulture) + " "), .. m])
        .ToArray();

    public string Unit => "messages";

    public async Task<long> RunAsync(long rate, long count, TimeSpan duration)
    {
        var senders = new Task<long>[connections];
        for (int c = 0; c < connections; c++)
        {
            // A bounded count is cut into consecutive slices, so that sending exactly the distinct
            // messages (a scenario's unique tenants or URIs) sends each once; unbounded runs start
            // each connection elsewhere in the cycle.
            int first = count == long.MaxValue ? c * 7919 : (int)Math.Min(int.MaxValue, ((count / connections) * c) + Math.Min(c, count % connections));
            long share = count == long.MaxValue ? count : (count / connections) + (c < count % connections ? 1 : 0);
            senders[c] = Task.Factory.StartNew(() => Send(first, rate / connections, share, duration), TaskCreationOptions.LongRunning);
        }

        long sent = 0;
        foreach (Task<long> sender in senders)
        {
            sent += await sender.ConfigureAwait(false);
        }

        return sent;
    }

    private long Send(int next, long rate, long count, TimeSpan duration)
    {
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(target);
        byte[] buffer = new byte[WriteBytes + (70 * 1024)];
        var pacer = new Pacer(rate, count, duration);
        long due;
        while ((due = pacer.Due(1024)) > 0)
        {
            int filled = 0;
            for (long i = 0; i < due; i++)
            {
                byte[] frame = _frames[next % _frames.Length];
                next++;
                frame.CopyTo(buffer, filled);
                filled += frame.Length;
                if (filled >= WriteBytes)
                {
                    socket.Send(buffer.AsSpan(0, filled));
                    filled = 0;
                }
            }

            if (filled > 0)
            {
                socket.Send(buffer.AsSpan(0, filled));
            }

            pacer.Took(due);
        }

        socket.Shutdown(SocketShutdown.Send);
        return pacer.Sent;
    }
}
