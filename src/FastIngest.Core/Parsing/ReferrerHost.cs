using System.Buffers;

namespace FastIngest.Core.Parsing;

/// <summary>
/// The host of a <c>Referer</c> header, and nothing else of it: no scheme, user info, port, path, query
/// or fragment, which may carry a person's identifiers (issue 16, item 4). Allocation-free.
/// </summary>
internal static class ReferrerHost
{
    private static readonly SearchValues<byte> s_schemeBytes = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."u8);

    /// <summary>
    /// Writes the host of <paramref name="referer"/> (an absolute URL: <c>scheme://[user@]host[:port]…</c>),
    /// lowercased, into <paramref name="host"/> and returns its length; 0 when there is none (a relative
    /// or malformed referrer, no host, or a host longer than <paramref name="host"/>). <c>www.</c> is kept:
    /// the host as sent.
    /// </summary>
    public static int Extract(ReadOnlySpan<byte> referer, Span<byte> host)
    {
        int scheme = referer.IndexOf("://"u8);
        // A scheme is a short run of letters, digits, '+', '-', '.' (http, https, android-app): else not a URL.
        if (scheme <= 0 || scheme > 32 || referer[..scheme].ContainsAnyExcept(s_schemeBytes))
        {
            return 0;
        }

        ReadOnlySpan<byte> authority = referer[(scheme + 3)..];
        int end = authority.IndexOfAny("/?#"u8);
        if (end >= 0)
        {
            authority = authority[..end];
        }

        // user:password@ is the most personal part of a URL: everything up to the last '@' goes.
        int at = authority.LastIndexOf((byte)'@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }

        if (authority.Length > 0 && authority[0] == '[')
        {
            // An IPv6 literal keeps its brackets; the port after ']' goes.
            int close = authority.IndexOf((byte)']');
            authority = close < 0 ? default : authority[..(close + 1)];
        }
        else
        {
            int colon = authority.IndexOf((byte)':');
            if (colon >= 0)
            {
                authority = authority[..colon];
            }
        }

        if (authority.IsEmpty || authority.Length > host.Length)
        {
            return 0;
        }

        // Non-ASCII (an IDN sent raw) is copied as it is; only ASCII letters are folded.
        return CopyLowered(authority, host);
    }

    private static int CopyLowered(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            byte b = source[i];
            destination[i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }

        return source.Length;
    }
}
