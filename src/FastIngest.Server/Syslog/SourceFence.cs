using System.Net;
using System.Net.Sockets;

namespace FastIngest.Server.Syslog;

/// <summary>
/// <c>FastIngest:Syslog:AllowedSources</c>: the networks that may send syslog, matched without
/// allocating. Every network is kept as a 16-byte IPv6 prefix, IPv4 ones as IPv4-mapped
/// (<c>::ffff:a.b.c.d</c>, prefix + 96), so an IPv4 sender that reaches a dual-stack socket as a mapped
/// address matches the IPv4 rule it was meant for, and one comparison loop serves both families.
/// </summary>
/// <remarks>
/// The UDP loops call <see cref="AdmitsIp"/> (batched, Linux) or <see cref="Admits(SocketAddress)"/> once per datagram, straight on the raw
/// <c>sockaddr</c> the kernel filled: no <see cref="IPAddress"/>, no <see cref="IPEndPoint"/>.
/// </remarks>
internal sealed partial class SourceFence
{
    private const int AddressBytes = 16;

    // Prefix bytes and prefix bit length (0-128), one entry per configured network.
    private readonly byte[] _prefixes;
    private readonly int[] _prefixBits;

    public SourceFence(IReadOnlyList<string>? allowedSources)
    {
        int count = allowedSources?.Count ?? 0;
        _prefixes = new byte[count * AddressBytes];
        _prefixBits = new int[count];
        for (int i = 0; i < count; i++)
        {
            if (!TryParse(allowedSources![i], _prefixes.AsSpan(i * AddressBytes, AddressBytes), out _prefixBits[i]))
            {
                // SyslogOptions.Validate names the key at start; reaching here is a bug.
                throw new ArgumentException($"Not a CIDR network: {allowedSources[i]}", nameof(allowedSources));
            }
        }
    }

    /// <summary>
    /// The fence of <paramref name="options"/>; without one, and with a listener reachable from other
    /// hosts, warns once (the composition root builds this once, as the syslog doors start).
    /// </summary>
    public static SourceFence Create(SyslogOptions options, ILogger<SourceFence> logger)
    {
        var fence = new SourceFence(options.AllowedSources);
        bool listening = options.UdpPort != 0 || options.TcpPort != 0 || options.TlsPort != 0;
        if (!fence.IsFenced && listening && !IPAddress.IsLoopback(IPAddress.Parse(options.BindAddress)))
        {
            Log.Unfenced(logger, options.BindAddress);
        }

        return fence;
    }

    /// <summary>False when no network is configured: every source is admitted.</summary>
    public bool IsFenced => _prefixBits.Length > 0;

    /// <summary>
    /// Parses <c>address/bits</c> or a bare address (a single host) into its 16-byte mapped form.
    /// Host bits past the prefix are allowed and ignored (<c>10.1.2.3/8</c> is <c>10.0.0.0/8</c>).
    /// </summary>
    public static bool TryParse(string? text, Span<byte> prefix, out int bits)
    {
        bits = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        ReadOnlySpan<char> span = text.AsSpan().Trim();
        int slash = span.IndexOf('/');
        ReadOnlySpan<char> addressText = slash < 0 ? span : span[..slash];
        if (!IPAddress.TryParse(addressText, out IPAddress? address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return false;
        }

        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
        int maxBits = v4 ? 32 : 128;
        bits = maxBits;
        if (slash >= 0 && (!int.TryParse(span[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bits) || bits > maxBits))
        {
            return false;
        }

        WriteMapped(address, prefix);
        if (v4)
        {
            bits += 96;
        }

        return true;
    }

    /// <summary>Whether <paramref name="address"/> (IPv4, IPv6 or IPv4-mapped IPv6) may send.</summary>
    public bool Admits(IPAddress address)
    {
        if (!IsFenced)
        {
            return true;
        }

        Span<byte> mapped = stackalloc byte[AddressBytes];
        WriteMapped(address, mapped);
        return Matches(mapped);
    }

    /// <summary>Whether the sender of a <c>ReceiveFrom</c> may send: reads the raw sockaddr, allocates nothing.</summary>
    public bool Admits(SocketAddress sender)
    {
        if (!IsFenced)
        {
            return true;
        }

        Span<byte> mapped = stackalloc byte[AddressBytes];
        ReadOnlySpan<byte> raw = sender.Buffer.Span[..sender.Size];
        switch (sender.Family)
        {
            case AddressFamily.InterNetwork when raw.Length >= 8:
                // sockaddr_in: family (2), port (2), address (4).
                mapped[10] = 0xFF;
                mapped[11] = 0xFF;
                raw.Slice(4, 4).CopyTo(mapped[12..]);
                break;
            case AddressFamily.InterNetworkV6 when raw.Length >= 24:
                // sockaddr_in6: family (2), port (2), flow info (4), address (16), scope id (4).
                raw.Slice(8, AddressBytes).CopyTo(mapped);
                break;
            default:
                return false;
        }

        return Matches(mapped);
    }

    /// <summary>
    /// Whether a sender given as its IP bytes (4, or 16 for IPv6 and IPv4-mapped) may send: the batched
    /// UDP loop reads them from each <c>recvmmsg</c> entry's <c>msg_name</c>. Allocates nothing.
    /// </summary>
    public bool AdmitsIp(ReadOnlySpan<byte> ip)
    {
        if (!IsFenced)
        {
            return true;
        }

        Span<byte> mapped = stackalloc byte[AddressBytes];
        switch (ip.Length)
        {
            case 4:
                mapped[..10].Clear();
                mapped[10] = 0xFF;
                mapped[11] = 0xFF;
                ip.CopyTo(mapped[12..]);
                break;
            case AddressBytes:
                ip.CopyTo(mapped);
                break;
            default:
                return false;
        }

        return Matches(mapped);
    }

    private bool Matches(ReadOnlySpan<byte> mapped)
    {
        for (int i = 0; i < _prefixBits.Length; i++)
        {
            if (PrefixEquals(_prefixes.AsSpan(i * AddressBytes, AddressBytes), mapped, _prefixBits[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool PrefixEquals(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> address, int bits)
    {
        int whole = bits >> 3;
        if (!prefix[..whole].SequenceEqual(address[..whole]))
        {
            return false;
        }

        int rest = bits & 7;
        if (rest == 0)
        {
            return true;
        }

        int mask = 0xFF << (8 - rest) & 0xFF;
        return (prefix[whole] & mask) == (address[whole] & mask);
    }

    private static void WriteMapped(IPAddress address, Span<byte> mapped)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            mapped[..10].Clear();
            mapped[10] = 0xFF;
            mapped[11] = 0xFF;
            address.TryWriteBytes(mapped[12..], out _);
        }
        else
        {
            address.TryWriteBytes(mapped, out _);
        }
    }

    private static partial class Log
    {
        // Syslog owns EventIds 100-199; the fence 130-139, next free: 131.
        [LoggerMessage(130, LogLevel.Warning, "Syslog listens on {BindAddress} and accepts any source: set FastIngest:Syslog:AllowedSources to the networks of your senders")]
        public static partial void Unfenced(ILogger logger, string bindAddress);
    }
}
