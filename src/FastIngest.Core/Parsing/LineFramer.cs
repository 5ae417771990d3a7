namespace FastIngest.Core.Parsing;

/// <summary>
/// Cuts what a file source read into LF-terminated lines: a CR before the LF stays in the line (parsers
/// take it as trailing whitespace), blank lines are skipped, and the unterminated rest is a line only
/// when the data is <c>final</c> (the end of the file). Lines that start before <c>skipBefore</c> (an
/// offset into the data, e.g. an import resumed mid-buffer) are consumed but not returned.
/// </summary>
internal ref struct LineFramer
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _final;
    private readonly long _skipBefore;
    private int _consumed;

    public LineFramer(ReadOnlySpan<byte> data, bool final, long skipBefore = 0)
    {
        _data = data;
        _final = final;
        _skipBefore = skipBefore;
    }

    /// <summary>Bytes consumed so far: whole lines (and their LF), skipped or returned.</summary>
    public readonly int Consumed => _consumed;

    /// <summary>Finds the next line to use; false when no whole line is left (the rest waits for more data).</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (_consumed < _data.Length)
        {
            int newline = _data[_consumed..].IndexOf((byte)'\n');
            if (newline < 0 && !_final)
            {
                break;
            }

            int length = newline < 0 ? _data.Length - _consumed : newline;
            ReadOnlySpan<byte> candidate = _data.Slice(_consumed, length);
            bool keep = _consumed >= _skipBefore && !candidate.TrimEnd((byte)'\r').IsEmpty;
            _consumed += newline < 0 ? length : length + 1;
            if (keep)
            {
                line = candidate;
                return true;
            }
        }

        line = default;
        return false;
    }
}
