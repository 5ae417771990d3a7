using System.Runtime.InteropServices;
using FastIngest.Server.Syslog.Interop;

namespace FastIngest.Server.Syslog;

/// <summary>
/// The vector of one <c>recvmmsg(2)</c> call: <see cref="Capacity"/> headers, each with one data slot and
/// room for the sender's address, in native memory set up once, so a call allocates nothing and the
/// GC never moves what the kernel writes into.
/// </summary>
/// <remarks>
/// 64 slots of 64 KiB (the largest UDP payload fits, so nothing is truncated) are 4 MiB of address
/// space per socket, but only the pages datagrams land on become resident: with 1-2 KB access-log
/// lines that is about 64 pages.
/// </remarks>
internal sealed unsafe class UdpReceiveBatch : IDisposable
{
    /// <summary>Datagrams per call, as rsyslog's imudp and the issue ask.</summary>
    public const int Capacity = 64;

    private const int SlotBytes = 65536;

    private readonly MultiMessageHeader* _messages;
    private readonly IoVector* _vectors;
    private readonly SocketAddressIn6* _names;
    private readonly byte* _data;
    private int _received;

    public UdpReceiveBatch()
    {
        _messages = (MultiMessageHeader*)NativeMemory.AllocZeroed(Capacity, (nuint)sizeof(MultiMessageHeader));
        _vectors = (IoVector*)NativeMemory.AllocZeroed(Capacity, (nuint)sizeof(IoVector));
        _names = (SocketAddressIn6*)NativeMemory.AllocZeroed(Capacity, (nuint)sizeof(SocketAddressIn6));
        // Not zeroed: zeroing would touch (and make resident) all 4 MiB.
        _data = (byte*)NativeMemory.AlignedAlloc(Capacity * SlotBytes, 4096);
        for (int i = 0; i < Capacity; i++)
        {
            _vectors[i].Base = _data + ((nint)i * SlotBytes);
            _vectors[i].Length = SlotBytes;
            ref MessageHeader header = ref _messages[i].Header;
            header.Name = _names + i;
            header.NameLength = (uint)sizeof(SocketAddressIn6);
            header.Vectors = _vectors + i;
            header.VectorCount = 1;
        }
    }

    /// <summary>
    /// One <c>recvmmsg</c> on <paramref name="socket"/>: the number of datagrams now in the batch, or -1
    /// with the error in <paramref name="error"/> (<see cref="LibC.ErrorWouldBlock"/>: none waiting).
    /// </summary>
    public int Receive(nint socket, int flags, out int error)
    {
        // The kernel wrote each used entry's address length; give the entries back their full room.
        for (int i = 0; i < _received; i++)
        {
            _messages[i].Header.NameLength = (uint)sizeof(SocketAddressIn6);
        }

        int received = LibC.ReceiveMultipleMessages(socket, _messages, Capacity, flags, null);
        error = received < 0 ? Marshal.GetLastPInvokeError() : 0;
        _received = Math.Max(received, 0);
        return received;
    }

    /// <summary>The payload of datagram <paramref name="index"/> of the last call.</summary>
    public ReadOnlySpan<byte> Datagram(int index) => new(_vectors[index].Base, (int)_messages[index].Length);

    /// <summary>The sender's IP bytes (4 or 16) of datagram <paramref name="index"/>, read from its <c>msg_name</c>.</summary>
    public ReadOnlySpan<byte> SenderIp(int index) => SocketAddressIn6.IpOf(ref _names[index]);

    public void Dispose()
    {
        NativeMemory.AlignedFree(_data);
        NativeMemory.Free(_names);
        NativeMemory.Free(_vectors);
        NativeMemory.Free(_messages);
    }
}
