using System.Net.Sockets;
using FastIngest.Core.Ingest;
using FastIngest.Server.Syslog.Interop;

namespace FastIngest.Server.Syslog;

/// <summary>The Linux loop: up to 64 datagrams per <c>recvmmsg(2)</c> (issue 15).</summary>
internal sealed partial class UdpReceiveLoop
{
    /// <summary>
    /// Reads with <c>recvmmsg(MSG_DONTWAIT)</c> until a call returns a short batch (the kernel queue is
    /// empty), then waits in <c>poll</c> for the next datagram, for the rest of the hold time of a pending
    /// batch, or for <see cref="StopCheckMicroseconds"/> so a stop is noticed. Per batch: one syscall while
    /// datagrams keep coming, one wall-clock read for the messages' arrival second.
    /// </summary>
    private void ReceiveBatches(ShardedBatchWriter writer)
    {
        using var batch = new UdpReceiveBatch();
        bool referenced = false;
        _socket.SafeHandle.DangerousAddRef(ref referenced);
        try
        {
            // Held by the reference above: a concurrent Abort cannot close (and recycle) the descriptor under us.
            nint fd = _socket.SafeHandle.DangerousGetHandle();
            long heldSince = 0;
            while (!_stopping)
            {
                int received = batch.Receive(fd, LibC.MessageDontWait, out int error);
                if (received > 0)
                {
                    heldSince = AddBatch(writer, batch, received, heldSince);
                    if (received == UdpReceiveBatch.Capacity)
                    {
                        continue; // a full batch: the kernel likely holds more
                    }
                }
                else if (received < 0 && error != LibC.ErrorWouldBlock)
                {
                    if (error != LibC.ErrorInterrupted)
                    {
                        // ICMP errors and the like concern one peer; the socket keeps working.
                        Log.ReceiveFailed(_logger, (SocketError)error);
                    }

                    continue;
                }

                // The socket is empty for now.
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

                _socket.Poll(waitMicroseconds, SelectMode.SelectRead);
            }

            // Stopping: what the kernel already holds was sent before the stop, so it counts too.
            int drained;
            while ((drained = batch.Receive(fd, LibC.MessageDontWait, out _)) > 0)
            {
                heldSince = AddBatch(writer, batch, drained, heldSince);
            }

            Flush(writer);
        }
        finally
        {
            if (referenced)
            {
                _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Fences, stamps and copies the <paramref name="count"/> datagrams of one call; returns the hold start.</summary>
    private long AddBatch(ShardedBatchWriter writer, UdpReceiveBatch batch, int count, long heldSince)
    {
        if (!writer.HasPending)
        {
            heldSince = Environment.TickCount64;
        }

        // One clock read per batch: a batch is read in microseconds, its datagrams arrived in the same second.
        uint now = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> sender = batch.SenderIp(i);
            if (!_fence.AdmitsIp(sender))
            {
                // Before parsing: a refused source creates no tenant and costs no batch space.
                _refusedSource++;
                continue;
            }

            // The sender key feeds the shards' per-address admission of new tenants (issue 13).
            writer.Sender = SenderKey.Of(sender);
            Add(writer, batch.Datagram(i), now);
        }

        return heldSince;
    }
}
