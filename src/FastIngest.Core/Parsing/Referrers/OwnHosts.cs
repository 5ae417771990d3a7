using System.Text;

namespace FastIngest.Core.Parsing.Referrers;

/// <summary>
/// A tenant's own hosts, normalised once (lowercase, no <c>www.</c>, no port, no trailing dot) from its
/// configuration, so that a referrer from one of them, or from a subdomain, counts as <c>internal</c>.
/// Built when the tenant's options load, never per request; the request's own Host header is passed to
/// <see cref="ReferrerClassifier"/> separately, so a tenant with nothing configured still sees its own
/// pages as internal.
/// </summary>
internal sealed class OwnHosts
{
    private readonly byte[][] _hosts;

    public OwnHosts(IEnumerable<string> hosts)
    {
        var kept = new List<byte[]>();
        foreach (string host in hosts)
        {
            byte[] raw = Encoding.UTF8.GetBytes(host.Trim());
            ReadOnlySpan<byte> normal = Normalise(raw);
            if (!normal.IsEmpty)
            {
                byte[] lowered = normal.ToArray();
                System.Text.Ascii.ToLowerInPlace(lowered, out _);
                kept.Add(lowered);
            }
        }

        _hosts = [.. kept];
    }

    /// <summary>No configured hosts: only the request's Host header makes a referrer internal.</summary>
    public static OwnHosts None { get; } = new([]);

    /// <summary>True when <paramref name="host"/> (lowercase) equals, or is a subdomain of, a configured host.</summary>
    public bool Contains(ReadOnlySpan<byte> host)
    {
        foreach (byte[] own in _hosts)
        {
            if (IsSameOrSubdomain(host, own))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when <paramref name="host"/> (lowercase) equals <paramref name="own"/> or ends with <c>.</c> +
    /// <paramref name="own"/>, ASCII case ignored on <paramref name="own"/> (a Host header as sent).
    /// </summary>
    public static bool IsSameOrSubdomain(ReadOnlySpan<byte> host, ReadOnlySpan<byte> own)
    {
        if (own.IsEmpty || host.Length < own.Length)
        {
            return false;
        }

        int start = host.Length - own.Length;
        return (start == 0 || host[start - 1] == '.') && Ascii.EqualsIgnoreCase(host[start..], own);
    }

    /// <summary>A Host header or configured host without port, trailing dot or leading <c>www.</c>.</summary>
    public static ReadOnlySpan<byte> Normalise(ReadOnlySpan<byte> host)
    {
        if (host.IsEmpty || host[0] == '[')
        {
            int close = host.IndexOf((byte)']');
            return close < 0 ? default : host[..(close + 1)];
        }

        int colon = host.IndexOf((byte)':');
        if (colon >= 0)
        {
            host = host[..colon];
        }

        if (!host.IsEmpty && host[^1] == '.')
        {
            host = host[..^1];
        }

        if (host.Length > 4 && Ascii.EqualsIgnoreCase(host[..4], "www."u8))
        {
            host = host[4..];
        }

        return host;
    }
}
