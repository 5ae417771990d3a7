using System.Runtime.InteropServices;

namespace FastIngest.Server.Syslog.Interop;

/// <summary>Linux <c>struct msghdr</c>; <c>nint</c>/<c>nuint</c> fields give C's padding on 32 and 64 bits.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MessageHeader
{
    /// <summary>Where the kernel writes the sender's <c>sockaddr</c> (a <see cref="SocketAddressIn6"/>).</summary>
    public SocketAddressIn6* Name;

    /// <summary>In: the room at <see cref="Name"/>; out: the sender address's length. Reset before each call.</summary>
    public uint NameLength;

    public IoVector* Vectors;
    public nuint VectorCount;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}
