using System.Text.Unicode;

namespace FastIngest.Core.Parsing.Referrers;

/// <summary>
/// Turns a referrer (NGINX's <c>$http_referer</c> or the pixel's <c>Referer</c> header) into the
/// referring host and a source group (issue 18, item 1), over UTF-8 bytes, without allocating:
/// <list type="bullet">
/// <item><c>direct</c>: no referrer, <c>-</c>, blank, or nothing that holds a host (as Plausible: a
/// referrer it cannot read a host from is "Direct / None").</item>
/// <item><c>internal</c>: the request's Host or one of the tenant's <see cref="OwnHosts"/>, or a subdomain.</item>
/// <item><c>search</c>, <c>social</c>, <c>email</c>: a host in <see cref="ReferrerSourceList"/>.</item>
/// <item><c>other</c>: any other host, IP literals included; a host with bytes no host has (spaces,
/// <c>%</c>, control bytes, invalid UTF-8) is <c>other</c> with no host kept.</item>
/// </list>
/// Only the host leaves: path, query, user info and port are dropped by <see cref="ReferrerHost"/>.
/// </summary>
internal static class ReferrerClassifier
{
    /// <summary>The longest DNS name; a buffer this long holds any host kept.</summary>
    public const int MaxHostBytes = 253;

    /// <summary>Classifies with the shipped list; see <see cref="Classify(ReadOnlySpan{byte}, ReadOnlySpan{byte}, OwnHosts, ReferrerSourceList, Span{byte})"/>.</summary>
    public static ReferrerSource Classify(ReadOnlySpan<byte> referrer, ReadOnlySpan<byte> requestHost, OwnHosts ownHosts, Span<byte> host) =>
        Classify(referrer, requestHost, ownHosts, ReferrerSourceList.Default, host);

    /// <summary>
    /// Writes the referring host (lowercase, no <c>www.</c>, at most <paramref name="host"/>'s length, which
    /// should be <see cref="MaxHostBytes"/>) and returns its group and listed name.
    /// <paramref name="requestHost"/> is the request's Host header as sent (port and case are ignored),
    /// empty when unknown.
    /// </summary>
    public static ReferrerSource Classify(
        ReadOnlySpan<byte> referrer, ReadOnlySpan<byte> requestHost, OwnHosts ownHosts, ReferrerSourceList list, Span<byte> host)
    {
        referrer = referrer.Trim((byte)' ');
        if (referrer.IsEmpty || (referrer.Length == 1 && referrer[0] == '-'))
        {
            return new ReferrerSource(ReferrerGroup.Direct, 0, ReferrerName.None);
        }

        int length = ReferrerHost.Extract(referrer, host);
        if (length == 0)
        {
            return new ReferrerSource(ReferrerGroup.Direct, 0, ReferrerName.None);
        }

        Span<byte> kept = host[..length];
        if (kept[^1] == '.')
        {
            kept = kept[..^1];
        }

        if (kept.Length > 4 && kept.StartsWith("www."u8))
        {
            // Overlapping copy is defined for spans (memmove): the host moves left by four bytes.
            kept[4..].CopyTo(kept);
            kept = kept[..^4];
        }

        if (!IsHost(kept))
        {
            return new ReferrerSource(ReferrerGroup.Other, 0, ReferrerName.None);
        }

        if (OwnHosts.IsSameOrSubdomain(kept, OwnHosts.Normalise(requestHost)) || ownHosts.Contains(kept))
        {
            return new ReferrerSource(ReferrerGroup.Internal, kept.Length, ReferrerName.None);
        }

        return list.TryFind(kept, out ReferrerGroup group, out ReferrerName name)
            ? new ReferrerSource(group, kept.Length, name)
            : new ReferrerSource(ReferrerGroup.Other, kept.Length, ReferrerName.None);
    }

    // A DNS name (letters, digits, '-', '_', dots between non-empty labels), a raw IDN (valid UTF-8, no
    // ASCII outside that set), or a bracketed IPv6 literal. Anything else is not a host we would show.
    private static bool IsHost(ReadOnlySpan<byte> host)
    {
        if (host.IsEmpty)
        {
            return false;
        }

        if (host[0] == '[')
        {
            return host.Length > 2 && host[^1] == ']' && IsIpv6Body(host[1..^1]);
        }

        bool ascii = true;
        byte previous = (byte)'.';
        foreach (byte b in host)
        {
            if (b >= 0x80)
            {
                ascii = false;
            }
            else if (b == '.')
            {
                if (previous == '.')
                {
                    return false;
                }
            }
            else if (b is not ((>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_'))
            {
                return false;
            }

            previous = b;
        }

        return ascii || Utf8.IsValid(host);
    }

    private static bool IsIpv6Body(ReadOnlySpan<byte> body)
    {
        foreach (byte b in body)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (byte)':' or (byte)'.'))
            {
                return false;
            }
        }

        return true;
    }
}
