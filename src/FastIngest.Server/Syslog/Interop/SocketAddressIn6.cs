using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastIngest.Server.Syslog.Interop;

/// <summary>
/// Linux <c>struct sockaddr_in6</c> (28 bytes), large enough for a <c>sockaddr_in</c> too: the family
/// says which one the kernel wrote.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SocketAddressIn6
{
    /// <summary>Linux <c>AF_INET</c>.</summary>
    public const ushort AddressFamilyInet = 2;

    /// <summary>Linux <c>AF_INET6</c>.</summary>
    public const ushort AddressFamilyInet6 = 10;

    public ushort Family;
    public ushort Port;

    /// <summary>sockaddr_in: the IPv4 address; sockaddr_in6: the flow info.</summary>
    public uint FlowInfoOrAddress;

    public Address16 Address;
    public uint ScopeId;

    /// <summary>The sender's IP bytes (4 or 16); empty for any other family.</summary>
    public static ReadOnlySpan<byte> IpOf(ref readonly SocketAddressIn6 name) => name.Family switch
    {
        AddressFamilyInet => MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in name.FlowInfoOrAddress)),
        AddressFamilyInet6 => name.Address,
        _ => default,
    };

    [InlineArray(16)]
    internal struct Address16
    {
        private byte _element0;
    }
}
