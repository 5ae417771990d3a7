using System.IO.Hashing;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace FastIngest.Core.Ingest;

/// <summary>
/// The client address a message came from, as 8 bytes that travel in its <see cref="IngestEntry"/>: an
/// XxHash3 of the IP's bytes (never the port: a sender picks ports freely) seeded per process, so the
/// key says nothing about the address outside this process. An IPv4-mapped IPv6 address keys as its IPv4
/// address. <see cref="None"/> (0) means no address (file tail, import), exempt from per-address limits.
/// </summary>
internal static class SenderKey
{
    public const ulong None = 0;

    private static readonly long s_seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>The key of an IP address's bytes (4 or 16); never <see cref="None"/>.</summary>
    public static ulong Of(ReadOnlySpan<byte> ip)
    {
        if (ip.Length == 16 && IsV4Mapped(ip))
        {
            ip = ip[12..];
        }

        ulong key = XxHash3.HashToUInt64(ip, s_seed);
        return key == None ? 1 : key;
    }

    /// <summary>The key of an address; <see cref="None"/> for null. Allocation-free.</summary>
    public static ulong Of(IPAddress? address)
    {
        if (address is null)
        {
            return None;
        }

        Span<byte> bytes = stackalloc byte[16];
        return address.TryWriteBytes(bytes, out int written) ? Of(bytes[..written]) : None;
    }

    /// <summary>
    /// The key of a received datagram's source (a raw <c>sockaddr</c>: family, port, then the address),
    /// read straight from the <see cref="SocketAddress"/> buffer so the UDP loop allocates nothing.
    /// </summary>
    public static ulong Of(SocketAddress address)
    {
        ReadOnlySpan<byte> raw = address.Buffer.Span[..address.Size];
        return address.Family switch
        {
            AddressFamily.InterNetwork when raw.Length >= 8 => Of(raw.Slice(4, 4)),
            AddressFamily.InterNetworkV6 when raw.Length >= 24 => Of(raw.Slice(8, 16)),
            _ => None,
        };
    }

    private static bool IsV4Mapped(ReadOnlySpan<byte> ip)
        => ip[..10].IndexOfAnyExcept((byte)0) < 0 && ip[10] == 0xFF && ip[11] == 0xFF;
}
