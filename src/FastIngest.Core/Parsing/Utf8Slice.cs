namespace FastIngest.Core.Parsing;

/// <summary>
/// A range of UTF-8 bytes inside a buffer the owner keeps (a record's scratch, a batch buffer). An
/// <see cref="AccessLogRecord"/> marks a value referenced in its line with a negative start (<c>~offset</c>).
/// </summary>
internal readonly record struct Utf8Slice(int Start, int Length)
{
    public bool IsEmpty => Length == 0;
}
