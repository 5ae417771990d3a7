namespace FastIngest.Core.Parsing;

/// <summary>
/// A range of UTF-8 bytes inside a buffer the owner keeps (a record's scratch, a batch buffer). An
/// <see cref="AccessLogRecord"/> marks a value referenced in its line with a negative start (<c>~offset</c>).
/// </summary>
internal readonly record struct Utf8Slice(int Start, int Length)
{
    public bool IsEmpty => Length == 0;

    /// <summary>
    /// <paramref name="length"/> bytes at <paramref name="offset"/> of this slice, in the same buffer: in
    /// scratch (start ≥ 0) the start moves up; in the line (start = ~lineOffset) the line offset does.
    /// </summary>
    public Utf8Slice Slice(int offset, int length) => Start >= 0 ? new(Start + offset, length) : new(~(~Start + offset), length);
}
