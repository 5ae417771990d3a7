using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FastIngest.LoadGen;

/// <summary>
/// One datagram per NGINX line, as NGINX's syslog output sends them, through <c>sendmmsg(2)</c> on a
/// connected socket: up to 64 datagrams per syscall, described once in native memory before the
/// clock starts. A plain <see cref="Socket.Send(ReadOnlySpan{byte})"/> per datagram topped out
/// near 45k/s on one loaded core, below every receiver it was meant to measure. With several sockets
/// (<c>--connections</c>, issue 19) the bursts go to each in turn: several source ports, as several NGINX
/// workers or <c>access_log</c> lines have, so <c>SO_REUSEPORT</c> (which hashes a sender's address and port)
/// or a balancer can spread them over several receivers.
/// </summary>
internal sealed unsafe partial class UdpSender : ISender, IDisposable
{
    private const int Burst = 64;
    private const int ConnectionRefused = 111;   // ECONNREFUSED: ICMP port unreachable of an earlier datagram
    private const int NoBufferSpace = 105;       // ENOBUFS
    private const int WouldBlock = 11;           // EAGAIN

    private readonly IPEndPoint _target;
    private readonly int _count;
    private readonly int _sockets;
    private readonly MMsgHdr* _messages;
    private readonly IoVec* _vectors;
    private readonly byte[] _payload;

    public UdpSender(IPEndPoint target, byte[][] datagrams, int sockets = 1)
    {
        _target = target;
        _sockets = Math.Max(1, sockets);
        _count = datagrams.Length;
        // One pinned block for every payload: the iovecs point into it for the whole run.
        _payload = GC.AllocateUninitializedArray<byte>(datagrams.Sum(d => d.Length), pinned: true);
        _messages = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)_count, (nuint)sizeof(MMsgHdr));
        _vectors = (IoVec*)NativeMemory.AllocZeroed((nuint)_count, (nuint)sizeof(IoVec));
        byte* payload = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(_payload, 0);
        int offset = 0;
        for (int i = 0; i < _count; i++)
        {
            datagrams[i].CopyTo(_payload, offset);
            _vectors[i] = new IoVec { Base = payload + offset, Length = (nuint)datagrams[i].Length };
            _messages[i].Header.Iov = &_vectors[i];
            _messages[i].Header.IovLength = 1;
            offset += datagrams[i].Length;
        }
    }

    public string Unit => "datagrams";

    public Task<long> RunAsync(long rate, long count, TimeSpan duration)
    {
        var sockets = new Socket[_sockets];
        var fds = new int[_sockets];
        for (int i = 0; i < sockets.Length; i++)
        {
            sockets[i] = new Socket(_target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            sockets[i].SendBufferSize = 4 * 1024 * 1024;
            sockets[i].Connect(_target);
            fds[i] = (int)sockets[i].Handle;
        }

        try
        {
            return Task.FromResult(Send(fds, rate, count, duration));
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private long Send(int[] fds, long rate, long count, TimeSpan duration)
    {
        int turn = 0;
        var pacer = new Pacer(rate, count, duration);
        int next = 0;
        long refused = 0;
        long due;
        while ((due = pacer.Due(Burst)) > 0)
        {
            long left = due;
            while (left > 0)
            {
                uint batch = (uint)Math.Min(left, _count - next);
                int sent = SendMMsg(fds[turn], _messages + next, batch, 0);
                turn = turn + 1 == fds.Length ? 0 : turn + 1;
                if (sent < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno is not (ConnectionRefused or NoBufferSpace or WouldBlock))
                    {
                        throw new SocketException(errno);
                    }

                    // Nobody listening yet, or a full local queue: the datagram counts as sent and
                    // lost, as a real sender's would.
                    refused++;
                    sent = 1;
                }

                left -= sent;
                next = (next + sent) % _count;
            }

            pacer.Took(due);
        }

        if (refused > 0)
        {
            Console.WriteLine($"  {refused} sends refused by the local stack (counted as sent)");
        }

        return pacer.Sent;
    }

    public void Dispose()
    {
        NativeMemory.Free(_messages);
        NativeMemory.Free(_vectors);
    }

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static partial int SendMMsg(int fd, MMsgHdr* messages, uint count, int flags);

    // struct iovec, struct msghdr and struct mmsghdr of x86-64/arm64 Linux; sequential layout pads
    // them as the C compiler does.
    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }
}
