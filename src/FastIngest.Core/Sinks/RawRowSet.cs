namespace FastIngest.Core.Sinks;

/// <summary>
/// The <c>requests_raw</c> rows of one flush interval: an array of row structs and one byte arena for
/// their text, both reused. A shard fills one; at its flush it hands it to the batch and takes the
/// batch's empty one in exchange, so the arenas go round between shards and pooled batches and, once
/// grown to the cap (<c>RawRows:MaxRowsPerFlush</c> rows of at most <see cref="MaxRowTextBytes"/> each),
/// a line costs no allocation.
/// </summary>
internal sealed class RawRowSet
{
    /// <summary>Longest method kept (longer is cut): real ones are at most 7 (OPTIONS, CONNECT).</summary>
    public const int MaxMethodBytes = 16;

    /// <summary>Longest path kept, in UTF-8 bytes (cut at a character boundary): drill-down needs the start, not 8 KiB of it.</summary>
    public const int MaxPathBytes = 512;

    /// <summary>Longest referrer host kept: a DNS name has at most 253 bytes.</summary>
    public const int MaxReferrerHostBytes = 253;

    /// <summary>Longest agent class text kept (<c>chrome/android/mobile</c>, <c>bot:google</c>: ~25 in practice).</summary>
    public const int MaxAgentClassBytes = 32;

    /// <summary>Most text one row holds, the bound of the arena per row.</summary>
    public const int MaxRowTextBytes = MaxMethodBytes + MaxPathBytes + MaxReferrerHostBytes + MaxAgentClassBytes;

    private RawRow[] _rows = [];
    private byte[] _text = [];
    private int _textLength;

    public int Count { get; private set; }

    /// <summary>The rows, in arrival order.</summary>
    public ReadOnlySpan<RawRow> Rows => _rows.AsSpan(0, Count);

    /// <summary>Bytes the arrays hold now (rows and text), whatever their fill: what the memory bound counts.</summary>
    public long CapacityBytes => ((long)_rows.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<RawRow>()) + _text.Length;

    /// <summary>
    /// Appends <paramref name="row"/> with its text (cut to the caps), in place of its <c>TextStart</c>
    /// and lengths. Grows the arrays by doubling, so a set reused across flushes stops growing.
    /// </summary>
    public void Add(RawRow row, ReadOnlySpan<byte> method, ReadOnlySpan<byte> path, ReadOnlySpan<byte> referrerHost, ReadOnlySpan<byte> agentClass = default)
    {
        method = method[..Math.Min(method.Length, MaxMethodBytes)];
        path = Utf8Prefix(path, MaxPathBytes);
        referrerHost = referrerHost[..Math.Min(referrerHost.Length, MaxReferrerHostBytes)];
        agentClass = agentClass[..Math.Min(agentClass.Length, MaxAgentClassBytes)];
        int length = method.Length + path.Length + referrerHost.Length + agentClass.Length;
        if (Count == _rows.Length)
        {
            Array.Resize(ref _rows, Math.Max(64, _rows.Length * 2));
        }

        if (_text.Length - _textLength < length)
        {
            Array.Resize(ref _text, Math.Max(Math.Max(4096, _text.Length * 2), _textLength + length));
        }

        row.TextStart = _textLength;
        row.MethodLength = (byte)method.Length;
        row.PathLength = (ushort)path.Length;
        row.ReferrerHostLength = (byte)referrerHost.Length;
        row.AgentClassLength = (byte)agentClass.Length;
        Span<byte> text = _text.AsSpan(_textLength, length);
        method.CopyTo(text);
        path.CopyTo(text[method.Length..]);
        referrerHost.CopyTo(text[(method.Length + path.Length)..]);
        agentClass.CopyTo(text[(method.Length + path.Length + referrerHost.Length)..]);
        _textLength += length;
        _rows[Count++] = row;
    }

    /// <summary>Copies <paramref name="row"/> of <paramref name="from"/> here (splitting a batch by partition).</summary>
    public void Add(RawRowSet from, in RawRow row) => Add(row, from.Method(in row), from.Path(in row), from.ReferrerHost(in row), from.AgentClass(in row));

    public ReadOnlySpan<byte> Method(in RawRow row) => _text.AsSpan(row.TextStart, row.MethodLength);

    public ReadOnlySpan<byte> Path(in RawRow row) => _text.AsSpan(row.TextStart + row.MethodLength, row.PathLength);

    public ReadOnlySpan<byte> ReferrerHost(in RawRow row) => _text.AsSpan(row.TextStart + row.MethodLength + row.PathLength, row.ReferrerHostLength);

    public ReadOnlySpan<byte> AgentClass(in RawRow row) => _text.AsSpan(row.TextStart + row.MethodLength + row.PathLength + row.ReferrerHostLength, row.AgentClassLength);

    /// <summary>Empties the set and keeps its arrays (the tenants' names they reference are let go).</summary>
    public void Clear()
    {
        Array.Clear(_rows, 0, Count);
        Count = 0;
        _textLength = 0;
    }

    /// <summary>The longest prefix of <paramref name="text"/> within <paramref name="max"/> bytes that ends at a UTF-8 character boundary.</summary>
    private static ReadOnlySpan<byte> Utf8Prefix(ReadOnlySpan<byte> text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        int end = max;
        // Step back over continuation bytes (10xxxxxx) so the cut never splits a character.
        while (end > 0 && (text[end] & 0xC0) == 0x80)
        {
            end--;
        }

        return text[..end];
    }
}
