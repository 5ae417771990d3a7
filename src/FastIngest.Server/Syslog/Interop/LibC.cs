using System.Runtime.InteropServices;

namespace FastIngest.Server.Syslog.Interop;

/// <summary>The Linux system calls and socket options of the syslog receivers: the batched UDP receive (<see cref="UdpReceiveBatch"/>), <c>SO_REUSEPORT</c>.</summary>
internal static unsafe partial class LibC
{
    /// <summary><c>MSG_DONTWAIT</c>: return at once with what the socket holds.</summary>
    public const int MessageDontWait = 0x40;

    public const int ErrorInterrupted = 4;     // EINTR
    public const int ErrorWouldBlock = 11;     // EAGAIN = EWOULDBLOCK

    public const int SolSocket = 1;
    public const int SoReusePort = 15;
    public const int SoRcvBufForce = 33;

    /// <summary>Sets <c>SO_REUSEPORT</c> on <paramref name="socket"/>; before its bind, or the option does nothing.</summary>
    public static void SetReusePort(System.Net.Sockets.Socket socket) =>
        socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));

    /// <summary><c>recvmmsg(2)</c>: up to <paramref name="length"/> datagrams in one call; -1 and errno on failure.</summary>
    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int ReceiveMultipleMessages(nint socket, MultiMessageHeader* messages, uint length, int flags, void* timeout);
}
