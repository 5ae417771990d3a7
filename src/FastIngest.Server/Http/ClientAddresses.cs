using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FastIngest.Server.Http;

/// <summary>
/// The client address of a request: the TCP peer, or, when the peer is one of
/// <see cref="HttpOptions.KnownProxies"/>, the first untrusted address of <c>X-Forwarded-For</c> read
/// from the right (what ASP.NET Core's ForwardedHeaders and NGINX's <c>real_ip_recursive on</c> do). Only
/// a trusted proxy's word is taken, so a client that writes its own <c>X-Forwarded-For</c> changes nothing.
/// The one place the server decides "who is this" for an anonymous request: the rate limits' partitions,
/// and anything else scoped per client address.
/// </summary>
internal sealed class ClientAddresses
{
    private readonly IPNetwork[] _trusted;

    public ClientAddresses(IOptions<HttpOptions> options)
        : this(ParseNetworks(options.Value.KnownProxies))
    {
    }

    public ClientAddresses(IPNetwork[] trusted) => _trusted = trusted;

    /// <summary>The client address of <paramref name="context"/>'s request (<see cref="IPAddress.None"/> when Kestrel knows no peer).</summary>
    public IPAddress Of(HttpContext context) =>
        Resolve(context.Connection.RemoteIpAddress, context.Request.Headers["X-Forwarded-For"], _trusted);

    /// <summary>Whether <paramref name="peer"/> is a known proxy, whose <c>X-Forwarded-For</c> is read (the pixel door asks once per connection).</summary>
    public bool Trusts(IPAddress? peer) => peer is not null && _trusted.Length > 0 && IsTrusted(Normalize(peer), _trusted);

    /// <summary><see cref="Resolve(IPAddress?, StringValues, IReadOnlyList{IPNetwork})"/> with the configured proxies.</summary>
    public IPAddress Resolve(IPAddress? peer, StringValues forwardedFor) => Resolve(peer, forwardedFor, _trusted);

    /// <summary>
    /// Walks <paramref name="forwardedFor"/> from the right while the address in hand is a trusted proxy:
    /// each hop to the left is the address that proxy saw. An entry that is not an address (garbage, a
    /// name, "unknown") stops the walk at the proxy that passed it on, so garbage never makes a new client.
    /// </summary>
    public static IPAddress Resolve(IPAddress? peer, StringValues forwardedFor, IReadOnlyList<IPNetwork> trusted)
    {
        IPAddress client = Normalize(peer ?? IPAddress.None);
        if (trusted.Count == 0 || !IsTrusted(client, trusted))
        {
            return client;
        }

        // Several header lines are one list, in order (RFC 7230 3.2.2); read the last line first.
        for (int line = forwardedFor.Count - 1; line >= 0; line--)
        {
            ReadOnlySpan<char> rest = forwardedFor[line];
            while (!rest.IsEmpty)
            {
                int comma = rest.LastIndexOf(',');
                ReadOnlySpan<char> entry = rest[(comma + 1)..].Trim();
                rest = comma < 0 ? [] : rest[..comma];
                if (entry.IsEmpty)
                {
                    continue;
                }

                if (!TryParseEntry(entry, out IPAddress? hop))
                {
                    return client;
                }

                client = hop;
                if (!IsTrusted(client, trusted))
                {
                    return client;
                }
            }
        }

        // Every hop was a trusted proxy: the leftmost one is as close to the client as we can tell.
        return client;
    }

    /// <summary>
    /// The rate limits' partition name of <paramref name="address"/>: an IPv4 address alone, an IPv6
    /// address by its /64, the smallest block one subscriber usually gets, so one host cannot make
    /// 2^64 partitions out of its own prefix.
    /// </summary>
    public static string PartitionOf(IPAddress address)
    {
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            bytes[8..].Clear();
            return "ip:" + new IPAddress(bytes) + "/64";
        }

        return "ip:" + address;
    }

    /// <summary>Parses <c>KnownProxies</c> entries: an address (a /32 or /128) or a CIDR block; throws on anything else.</summary>
    public static IPNetwork[] ParseNetworks(IEnumerable<string> entries)
    {
        var networks = new List<IPNetwork>();
        foreach (string entry in entries)
        {
            if (!TryParseNetwork(entry, out IPNetwork network))
            {
                throw new FormatException($"Not an IP address or CIDR block: '{entry}'");
            }

            networks.Add(network);
        }

        return [.. networks];
    }

    public static bool TryParseNetwork(string? entry, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(entry))
        {
            return false;
        }

        string text = entry.Trim();
        if (IPAddress.TryParse(text, out IPAddress? single) && !text.Contains('/', StringComparison.Ordinal))
        {
            single = Normalize(single);
            network = new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(text, out network);
    }

    private static bool TryParseEntry(ReadOnlySpan<char> entry, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        // "1.2.3.4", "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]:443", as proxies write them.
        if (IPAddress.TryParse(entry, out address) || (IPEndPoint.TryParse(entry, out IPEndPoint? endPoint) && (address = endPoint.Address) is not null))
        {
            // A zone id (fe80::1%eth0) is the proxy's interface, not part of who the client is.
            address = Normalize(address);
            return true;
        }

        address = null;
        return false;
    }

    private static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            return new IPAddress(bytes);
        }

        return address;
    }

    private static bool IsTrusted(IPAddress address, IReadOnlyList<IPNetwork> trusted)
    {
        for (int i = 0; i < trusted.Count; i++)
        {
            if (trusted[i].Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
