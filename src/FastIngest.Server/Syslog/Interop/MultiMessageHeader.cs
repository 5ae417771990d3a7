using System.Runtime.InteropServices;

namespace FastIngest.Server.Syslog.Interop;

/// <summary>Linux <c>struct mmsghdr</c>: one entry of a <c>recvmmsg(2)</c> vector.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MultiMessageHeader
{
    public MessageHeader Header;

    /// <summary>Out: the bytes received into this entry.</summary>
    public uint Length;
}
