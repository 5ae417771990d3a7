using System.Runtime.InteropServices;

namespace FastIngest.Server.Syslog.Interop;

/// <summary>Linux <c>struct iovec</c>: one datagram slot of a <see cref="MultiMessageHeader"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVector
{
    public byte* Base;
    public nuint Length;
}
