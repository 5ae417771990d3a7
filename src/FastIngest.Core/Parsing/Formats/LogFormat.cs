using System.Runtime.CompilerServices;

namespace FastIngest.Core.Parsing.Formats;

/// <summary>
/// An operator's own NGINX <c>log_format</c>, compiled once at start (<see cref="LogFormatCompiler"/>) into a
/// leading literal and a sequence of (variable, literal) steps. A line is read by stepping over each
/// literal and taking each variable's value up to where the next literal begins: no regex, no allocation.
/// The known variables (<see cref="LogFormatVariable"/>) fill the same <see cref="AccessLogRecord"/> the
/// built-in parsers fill; the others are stepped over.
/// </summary>
/// <remarks>
/// A value ends at the first occurrence of the literal after it, which is exact when NGINX cannot write
/// that literal inside the value: with the default escaping a <c>"</c> inside a value is <c>\x22</c>, with
/// <c>escape=json</c> it is <c>\"</c> (skipped here, as is a backslash-escaped quote in default mode). A value that can hold its own delimiter unescaped (an
/// unquoted <c>$http_user_agent</c> followed by a space) is cut at its first one: quote such values, as
/// NGINX's own <c>combined</c> does. <c>$time_local</c> and <c>$time_iso8601</c> are taken by their fixed
/// width. Immutable: one instance is shared by every shard.
/// </remarks>
internal sealed partial class LogFormat
{
    private const int VariableCount = (int)LogFormatVariable.HttpSecGpc + 1;

    private readonly byte[] _prefix;
    private readonly LogFormatStep[] _steps;

    /// <summary>
    /// One bit per <see cref="LogFormatVariable"/> the format has: what a line cannot have is not looked
    /// for, and a matched line has a value for every bit set.
    /// </summary>
    private readonly uint _variables;

    public LogFormat(string name, LogFormatEscape escape, byte[] prefix, LogFormatStep[] steps)
    {
        Name = name;
        Escape = escape;
        _prefix = prefix;
        _steps = steps;
        foreach (LogFormatStep step in steps)
        {
            _variables |= Bit(step.Variable);
        }

        _variables &= ~Bit(LogFormatVariable.Unknown);
    }

    /// <summary>The name it is configured under (<c>FastIngest:Formats:&lt;name&gt;</c>).</summary>
    public string Name { get; }

    public LogFormatEscape Escape { get; }

    /// <summary>The literal text before the first variable.</summary>
    public ReadOnlySpan<byte> Prefix => _prefix;

    public IReadOnlyList<LogFormatStep> Steps => _steps;

    /// <summary>Parses one line, copying its text values into the record's scratch buffer.</summary>
    public bool TryParse(ReadOnlySpan<byte> line, ref AccessLogRecord record, out RejectReason reason)
    {
        record.Reset();
        return Parse(line, ref record, out reason);
    }

    /// <summary>
    /// Parses the line at <paramref name="start"/> in <paramref name="buffer"/>, referencing its plain text
    /// values where they stand; only escaped values are unescaped into scratch. The caller keeps the bytes
    /// unchanged while it reads the record.
    /// </summary>
    public bool TryParse(byte[] buffer, int start, int length, ref AccessLogRecord record, out RejectReason reason)
    {
        record.Reset(buffer, start);
        return Parse(buffer.AsSpan(start, length), ref record, out reason);
    }

    private bool Parse(ReadOnlySpan<byte> line, ref AccessLogRecord record, out RejectReason reason)
    {
        line = line.TrimEnd("\r\n"u8);
        if (line.IsEmpty)
        {
            reason = RejectReason.Empty;
            return false;
        }

        // Where each known variable's value is in the line: offset + 1 and length, set by a match for every
        // variable the format has (_variables says which). 2 × 21 ints on the stack, nothing on the heap.
        Span<int> found = stackalloc int[2 * VariableCount];
        if (!Match(line, found))
        {
            reason = RejectReason.FormatMismatch;
            return false;
        }

        return Fill(line, found, ref record, out reason);
    }

    /// <summary>Steps over every literal and notes where each known variable's value is; false when a literal is not where the format has it.</summary>
    private bool Match(ReadOnlySpan<byte> line, Span<int> found)
    {
        if (!line.StartsWith(_prefix))
        {
            return false;
        }

        int at = _prefix.Length;
        LogFormatStep[] steps = _steps;
        for (int i = 0; i < steps.Length; i++)
        {
            ref readonly LogFormatStep step = ref steps[i];
            ReadOnlySpan<byte> rest = line[at..];
            ReadOnlySpan<byte> literal = step.Literal;
            int end;
            int fixedLength = step.FixedLength;
            if (fixedLength > 0)
            {
                // A fixed-width value is taken by its width: the literal must follow it at once.
                end = fixedLength;
                if (rest.Length < fixedLength || !rest[fixedLength..].StartsWith(literal))
                {
                    return false;
                }
            }
            else if (literal.Length == 0)
            {
                end = rest.Length;
            }
            else
            {
                end = Find(rest, literal);
                if (end < 0)
                {
                    return false;
                }
            }

            if (step.Variable != LogFormatVariable.Unknown)
            {
                int slot = 2 * (int)step.Variable;
                found[slot] = at + 1;
                found[slot + 1] = end;
            }

            at += end + literal.Length;
        }

        // NGINX writes the format and nothing after it: more is another format's line.
        return at == line.Length;
    }

    /// <summary>Where <paramref name="literal"/> first begins in <paramref name="rest"/>, skipping JSON-escaped quotes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(ReadOnlySpan<byte> rest, ReadOnlySpan<byte> literal)
    {
        int end = IndexOf(rest, literal);
        if (Escape == LogFormatEscape.None || literal[0] != '"' || end <= 0 || rest[end - 1] != '\\')
        {
            return end;
        }

        return FindUnescapedQuote(rest, literal, end);
    }

    /// <summary>
    /// <see cref="MemoryExtensions.IndexOf{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/> for the short literals of a
    /// log format (<c>" "</c>, <c> [</c>, <c>] "</c>): a search for the first byte, then a compare. The
    /// general search sets up a two-byte vector scan per call, which cost ~15 % of a combined line here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int IndexOf(ReadOnlySpan<byte> rest, ReadOnlySpan<byte> literal)
    {
        int at = rest.IndexOf(literal[0]);
        if (at < 0 || literal.Length == 1 || rest[at..].StartsWith(literal))
        {
            return at;
        }

        return IndexOfAfter(rest, literal, at);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int IndexOfAfter(ReadOnlySpan<byte> rest, ReadOnlySpan<byte> literal, int at)
    {
        int next = rest[(at + 1)..].IndexOf(literal);
        return next < 0 ? -1 : at + 1 + next;
    }

    /// <summary>
    /// A quote after an odd run of backslashes is inside the value: <c>escape=json</c> writes a value's quote
    /// as <c>\"</c>, and with the default escaping NGINX writes none (a backslash is <c>\x5C</c>) but
    /// Apache's <c>\"</c> is read as the combined parser reads it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int FindUnescapedQuote(ReadOnlySpan<byte> rest, ReadOnlySpan<byte> literal, int end)
    {
        while (end >= 0)
        {
            int backslashes = 0;
            while (end - backslashes > 0 && rest[end - backslashes - 1] == '\\')
            {
                backslashes++;
            }

            if (backslashes % 2 == 0)
            {
                return end;
            }

            int next = IndexOf(rest[(end + 1)..], literal);
            end = next < 0 ? -1 : end + 1 + next;
        }

        return -1;
    }

    /// <summary>The value of <paramref name="variable"/> in <paramref name="line"/>; empty when the format has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Value(ReadOnlySpan<byte> line, ReadOnlySpan<int> found, LogFormatVariable variable)
    {
        if (!Has(variable))
        {
            return default;
        }

        int slot = 2 * (int)variable;
        return line.Slice(found[slot] - 1, found[slot + 1]);
    }

    /// <summary>Whether the format has <paramref name="variable"/> (its value may still be <c>-</c> or empty).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Has(LogFormatVariable variable) => (_variables & Bit(variable)) != 0;

    /// <summary>Whether the format has any of the variables in <paramref name="mask"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool HasAny(uint mask) => (_variables & mask) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Bit(LogFormatVariable variable) => 1u << (int)variable;
}
