using System.Net;
using System.Net.Sockets;
using FastIngest.Core.Ingest;

namespace FastIngest.Server.Syslog;

/// <summary>The portable loop (off Linux, or without <c>recvmmsg</c>): one <c>ReceiveFrom</c> per datagram.</summary>
internal sealed partial class UdpReceiveLoop
{
    private void ReceiveEach(ShardedBatchWriter writer)
    {
        Socket socket = _socket;
        byte[] buffer = GC.AllocateUninitializedArray<byte>(65536);
        // Filled by each ReceiveFrom with the raw sockaddr: the fence reads it without an IPEndPoint.
        var sender = new SocketAddress(socket.AddressFamily);
        long heldSince = 0;
        while (!_stopping)
        {
            if (socket.Available == 0)
            {
                int waitMicroseconds = StopCheckMicroseconds;
                if (writer.HasPending)
                {
                    long held = Environment.TickCount64 - heldSince;
                    if (held >= MaxHoldMilliseconds)
                    {
                        Flush(writer);
                        continue;
                    }

                    waitMicroseconds = (int)(MaxHoldMilliseconds - held) * 1000;
                }

                if (!socket.Poll(waitMicroseconds, SelectMode.SelectRead))
                {
                    continue;
                }
            }

            int received;
            try
            {
                received = socket.ReceiveFrom(buffer, SocketFlags.None, sender);
            }
            catch (SocketException ex)
            {
                // ICMP errors and the like concern one peer; the socket keeps working.
                Log.ReceiveFailed(_logger, ex.SocketErrorCode);
                continue;
            }

            if (!_fence.Admits(sender))
            {
                // Before parsing: a refused source creates no tenant and costs no batch space.
                _refusedSource++;
                continue;
            }

            if (!writer.HasPending)
            {
                heldSince = Environment.TickCount64;
            }

            // The sender key feeds the shards' per-address admission of new tenants (issue 13).
            writer.Sender = SenderKey.Of(sender);
            Add(writer, buffer.AsSpan(0, received), (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        }

        // Stopping: what the kernel already holds was sent before the stop, so it counts too.
        while (socket.Available > 0)
        {
            int drained = socket.ReceiveFrom(buffer, SocketFlags.None, sender);
            if (_fence.Admits(sender))
            {
                writer.Sender = SenderKey.Of(sender);
                Add(writer, buffer.AsSpan(0, drained), (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            }
            else
            {
                _refusedSource++;
            }
        }

        Flush(writer);
    }
}
