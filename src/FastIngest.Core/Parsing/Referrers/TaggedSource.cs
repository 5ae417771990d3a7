namespace FastIngest.Core.Parsing.Referrers;

/// <summary>
/// The source a link was tagged with: <c>utm_source</c>, else <c>source</c>, else <c>ref</c> from the query
/// of the PAGE's URL (the request URI, or the page URL the pixel reports), never from the referrer: that
/// is what Plausible does (plausible/analytics, ingestion event: <c>query["utm_source"] || query["source"]
/// || query["ref"]</c> over the event's own URL). A referrer's query is someone else's page and may hold
/// personal data. The value is attacker-controlled, so it is percent-decoded into a bounded buffer,
/// kept only when every byte is printable ASCII, lowercased, trimmed and cut at <see cref="MaxBytes"/>.
/// Allocation-free.
/// </summary>
internal static class TaggedSource
{
    /// <summary>The most bytes kept of a tagged source; longer values are cut there.</summary>
    public const int MaxBytes = 64;

    /// <summary>
    /// Writes the first usable value of <c>utm_source</c>, <c>source</c>, <c>ref</c> (in that order) found in
    /// <paramref name="target"/> (<c>/path?query#fragment</c> or an absolute URL) and returns its length; 0
    /// when none is present, empty or valid. <paramref name="destination"/> should hold <see cref="MaxBytes"/>.
    /// </summary>
    public static int Read(ReadOnlySpan<byte> target, Span<byte> destination) => ReadQuery(QueryOf(target), destination);

    /// <summary>As <see cref="Read"/>, given the query itself (what follows <c>?</c>, without a fragment).</summary>
    public static int ReadQuery(ReadOnlySpan<byte> query, Span<byte> destination)
    {
        if (query.IsEmpty)
        {
            return 0;
        }

        int length = ReadParameter(query, "utm_source"u8, destination);
        if (length == 0)
        {
            length = ReadParameter(query, "source"u8, destination);
        }

        return length != 0 ? length : ReadParameter(query, "ref"u8, destination);
    }

    /// <summary>The text between the first <c>?</c> and the fragment; empty when there is none.</summary>
    public static ReadOnlySpan<byte> QueryOf(ReadOnlySpan<byte> target)
    {
        // The fragment goes first: a '?' inside it ("/a#?x=1") starts no query.
        int hash = target.IndexOf((byte)'#');
        if (hash >= 0)
        {
            target = target[..hash];
        }

        int question = target.IndexOf((byte)'?');
        return question < 0 ? default : target[(question + 1)..];
    }

    /// <summary>
    /// Writes the validated value of the first <paramref name="name"/>=… pair of <paramref name="query"/>
    /// (names match exactly, as sent) and returns its length; 0 when absent, empty or not printable ASCII.
    /// </summary>
    public static int ReadParameter(ReadOnlySpan<byte> query, ReadOnlySpan<byte> name, Span<byte> destination)
    {
        while (!query.IsEmpty)
        {
            int amp = query.IndexOf((byte)'&');
            ReadOnlySpan<byte> pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? default : query[(amp + 1)..];
            if (pair.Length > name.Length && pair[name.Length] == '=' && pair.StartsWith(name))
            {
                return Decode(pair[(name.Length + 1)..], destination);
            }
        }

        return 0;
    }

    private static int Decode(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        int capacity = Math.Min(destination.Length, MaxBytes);
        int written = 0;
        for (int i = 0; i < value.Length && written < capacity; i++)
        {
            int b = value[i];
            if (b == '+')
            {
                b = ' ';
            }
            else if (b == '%')
            {
                int high = i + 2 < value.Length ? HexValue(value[i + 1]) : -1;
                int low = high >= 0 ? HexValue(value[i + 2]) : -1;
                if (low < 0)
                {
                    return 0;
                }

                b = (high << 4) | low;
                i += 2;
            }

            if (b is < 0x20 or > 0x7E)
            {
                // Control bytes and anything non-ASCII: not a source name we would show to anyone.
                return 0;
            }

            destination[written++] = (byte)(b is >= 'A' and <= 'Z' ? b | 0x20 : b);
        }

        ReadOnlySpan<byte> decoded = destination[..written];
        int first = decoded.IndexOfAnyExcept((byte)' ');
        if (first < 0)
        {
            return 0;
        }

        int last = decoded.LastIndexOfAnyExcept((byte)' ');
        decoded[first..(last + 1)].CopyTo(destination);
        return last + 1 - first;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
