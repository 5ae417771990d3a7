using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastIngest.Core.Parsing;

/// <summary>
/// One access-log line as the aggregates need it. A shard owns one instance and reuses it for every
/// line: numbers are fields, text values are <see cref="Utf8Slice"/>s, read with <see cref="Text"/>, so
/// parsing allocates nothing once the scratch buffer has grown to the longest line seen.
/// </summary>
/// <remarks>
/// A text value is either in <see cref="Scratch"/> (unescaped, or copied) or, when the parser was given
/// the line's array (<see cref="Reset(byte[], int)"/>), referenced where it stands in <see cref="Line"/>:
/// a value that needs no unescaping is not copied (issue 15, item 4). Such a slice is only good while
/// the caller keeps those bytes: the shard reads the record before the next line and lets it go with
/// its batch; anything kept past the line (interned paths, tenants, pixel keys) is copied by the table
/// that keeps it.
/// </remarks>
internal struct AccessLogRecord
{
    /// <summary>
    /// Largest <see cref="BytesSent"/> or <see cref="BodyBytesSent"/> a real response has (1 TiB, 2^40). A
    /// line claiming more is refused (<c>invalid_number</c>), never added: 2^24 such values would wrap a
    /// tenant's UInt64 total, and no single HTTP response sends a terabyte (issue 13, item 6).
    /// </summary>
    public const long MaxBytes = 1L << 40;

    /// <summary>Largest <see cref="RequestTimeMs"/> a real request takes: a day. Longer is refused as <c>invalid_number</c>.</summary>
    public const long MaxRequestTimeMs = 86_400_000;

    private const int MinScratchLength = 256;

    /// <summary>Request time, Unix milliseconds UTC (from <c>msec</c>, else <c>time_iso8601</c>).</summary>
    public long TimestampMs;
    public ushort Status;
    /// <summary>-1 when absent.</summary>
    public long BytesSent;
    /// <summary>-1 when absent.</summary>
    public long BodyBytesSent;
    /// <summary><c>$request_time</c> in whole milliseconds (NGINX prints millisecond resolution); -1 when absent.</summary>
    public long RequestTimeMs;
    public CacheStatus CacheStatus;
    /// <summary>The request carried <c>DNT: 1</c> or <c>Sec-GPC: 1</c>: count it, but not its visitor.</summary>
    public bool DoNotTrack;

    public Utf8Slice Method;
    /// <summary><c>$uri</c>, or <c>$request_uri</c> cut at '?' when <c>uri</c> is absent.</summary>
    public Utf8Slice Path;
    /// <summary>
    /// What follows <c>?</c> in the request target (<c>$request_uri</c> or <c>$request</c>), still percent-encoded.
    /// Never stored or counted as it is (issue 14: a query can hold personal data); read only for the line's
    /// tagged source (<c>utm_source</c>/<c>source</c>/<c>ref</c>, issue 18).
    /// </summary>
    public Utf8Slice Query;
    public Utf8Slice Host;
    public Utf8Slice RemoteAddr;
    public Utf8Slice UserAgent;
    public Utf8Slice Referer;

    /// <summary>Unescaped text values, back to back. Grown by the parser, never shrunk.</summary>
    public byte[] Scratch;
    public int ScratchLength;

    /// <summary>The array the current line is in, when the parser may reference its values; else null.</summary>
    public byte[]? Line;

    private int _lineStart;

    public AccessLogRecord(int scratchCapacity)
    {
        Scratch = new byte[scratchCapacity];
        Reset();
    }

    /// <summary>
    /// Clears every field for the next line, whose plain values the parser may reference in
    /// <paramref name="line"/> (the caller keeps it unchanged while it reads the record); keeps the scratch buffer.
    /// </summary>
    /// <param name="lineStart">Where the line starts in <paramref name="line"/>.</param>
    public void Reset(byte[] line, int lineStart)
    {
        Reset();
        Line = line;
        _lineStart = lineStart;
    }

    /// <summary>Clears every field for the next line, whose values the parser copies; keeps the scratch buffer.</summary>
    public void Reset()
    {
        Line = null;
        _lineStart = 0;
        TimestampMs = 0;
        Status = 0;
        BytesSent = -1;
        BodyBytesSent = -1;
        RequestTimeMs = -1;
        CacheStatus = CacheStatus.None;
        DoNotTrack = false;
        Method = default;
        Path = default;
        Query = default;
        Host = default;
        RemoteAddr = default;
        UserAgent = default;
        Referer = default;
        ScratchLength = 0;
    }

    /// <summary>Copies <paramref name="text"/> into the scratch buffer (growing it, rarely) and returns where it is.</summary>
    public Utf8Slice Store(ReadOnlySpan<byte> text)
    {
        EnsureScratch(text.Length);
        text.CopyTo(Scratch.AsSpan(ScratchLength));
        var slice = new Utf8Slice(ScratchLength, text.Length);
        ScratchLength += text.Length;
        return slice;
    }

    /// <summary>
    /// Where <paramref name="value"/>, a part of <paramref name="line"/> (the span of the line given to
    /// <see cref="Reset(byte[], int)"/>), stands: referenced in place when the line is an array the caller
    /// keeps, copied into the scratch buffer otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Utf8Slice Keep(ReadOnlySpan<byte> line, ReadOnlySpan<byte> value)
    {
        if (Line is null)
        {
            return Store(value);
        }

        int offset = (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(line), ref MemoryMarshal.GetReference(value));
        return new Utf8Slice(~(_lineStart + offset), value.Length);
    }

    /// <summary>Makes room for <paramref name="additional"/> more bytes of text after <see cref="ScratchLength"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EnsureScratch(int additional)
    {
        // A default(AccessLogRecord) has no buffer yet.
        if (Scratch is null || Scratch.Length - ScratchLength < additional)
        {
            GrowScratch(ScratchLength + additional);
        }
    }

    /// <summary>The bytes of a value: in the scratch buffer, or (a negative start, <c>~offset</c>) in <see cref="Line"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ReadOnlySpan<byte> Text(Utf8Slice slice) =>
        slice.Start >= 0 ? Scratch.AsSpan(slice.Start, slice.Length) : Line.AsSpan(~slice.Start, slice.Length);

    /// <summary>Doubles until the line fits: values are disjoint parts of the line, so the line length bounds growth.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowScratch(int needed)
    {
        long size = Math.Max(Scratch?.Length ?? 0, MinScratchLength);
        while (size < needed)
        {
            size *= 2;
        }

        var grown = new byte[Math.Min(size, Array.MaxLength)];
        if (Scratch is not null)
        {
            Scratch.AsSpan(0, ScratchLength).CopyTo(grown);
        }

        Scratch = grown;
    }
}
