using System.Runtime.CompilerServices;
using System.Text.Json;

namespace FastIngest.Core.Parsing.Json;

/// <summary>Reading values: numbers (status, times, sizes) and text into the record's scratch buffer.</summary>
internal static partial class NginxJsonParser
{
    /// <summary>Reads a status or a time: <see cref="Absent"/>, <see cref="Invalid"/> or the value.</summary>
    private static long ReadNumber(ref Utf8JsonReader reader, ref AccessLogRecord record, Number kind)
    {
        if (!TryReadScalar(ref reader, ref record, out ReadOnlySpan<byte> text))
        {
            return Invalid;
        }

        return ParseNumber(text, kind);
    }

    /// <summary>Parses the text of a status or time value: <see cref="Absent"/> when empty, <see cref="Invalid"/> or the value.</summary>
    private static long ParseNumber(ReadOnlySpan<byte> text, Number kind)
    {
        if (IsAbsentText(text))
        {
            return Absent;
        }

        long value;
        bool parsed = kind switch
        {
            Number.Integer => FixedPoint.TryParseInteger(text, out value),
            Number.Thousandths => FixedPoint.TryParseThousandths(text, out value),
            _ => Iso8601.TryParseUnixMilliseconds(text, out value),
        };
        return parsed ? value : Invalid;
    }

    /// <summary>
    /// Reads a size or a duration: -1 when absent, as <see cref="AccessLogRecord"/> documents. A value over
    /// <paramref name="max"/> is as bad as one that doesn't parse: no real request has it, and adding it
    /// would wrap the tenant's sums.
    /// </summary>
    private static long ReadSize(ref Utf8JsonReader reader, ref AccessLogRecord record, Number kind, long max, ref bool badNumber)
    {
        long value = ReadNumber(ref reader, ref record, kind);
        if (value == Absent)
        {
            return -1;
        }

        // Invalid is long.MinValue + 1 and every parsed value is non-negative: one unsigned compare
        // catches a value that didn't parse and one out of range.
        if ((ulong)value > (ulong)max)
        {
            badNumber = true;
            return -1;
        }

        return value;
    }

    /// <summary>
    /// Gives the unescaped text of a string or number value; empty for <c>null</c>, "" and "-". An escaped
    /// string is unescaped into the free end of the scratch buffer and left uncommitted: the caller parses
    /// it before anything else is written there.
    /// </summary>
    /// <returns><see langword="false"/> for an object, array or boolean, which is skipped.</returns>
    private static bool TryReadScalar(ref Utf8JsonReader reader, ref AccessLogRecord record, out ReadOnlySpan<byte> value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (reader.ValueIsEscaped)
                {
                    record.EnsureScratch(reader.ValueSpan.Length);
                    Span<byte> free = record.Scratch.AsSpan(record.ScratchLength);
                    value = free[..JsonUnescaper.Unescape(reader.ValueSpan, free)];
                }
                else
                {
                    value = reader.ValueSpan;
                }

                break;
            case JsonTokenType.Number:
                value = reader.ValueSpan;
                break;
            case JsonTokenType.Null:
                value = default;
                return true;
            default:
                reader.Skip();
                value = default;
                return false;
        }

        if (value.Length == 1 && value[0] == '-')
        {
            value = default;
        }

        return true;
    }

    /// <summary>A string without escapes or a number: its bytes in the line are its text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsPlain(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number || (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped);

    /// <summary>"" and "-" mean absent, as in <see cref="TryReadScalar"/> and <see cref="ReadText"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsAbsentText(ReadOnlySpan<byte> text) => text.IsEmpty || (text.Length == 1 && text[0] == '-');

    /// <summary>
    /// A string or number value as a slice of the record: referenced in <paramref name="line"/> when it
    /// needs no unescaping (<see cref="AccessLogRecord.Keep"/>), unescaped into the scratch buffer when it
    /// does; an empty slice when absent or not text. The reader is over one span, so a value is never
    /// split across segments (<see cref="Utf8JsonReader.HasValueSequence"/> is false).
    /// </summary>
    private static Utf8Slice ReadText(ref Utf8JsonReader reader, ref AccessLogRecord record, ReadOnlySpan<byte> line)
    {
        JsonTokenType token = reader.TokenType;
        if (token is not (JsonTokenType.String or JsonTokenType.Number))
        {
            reader.Skip();
            return default;
        }

        ReadOnlySpan<byte> raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            return IsAbsentText(raw) ? default : record.Keep(line, raw);
        }

        return Unescape(raw, ref record);
    }

    /// <summary>An escaped value, unescaped into the scratch buffer; rarer than plain ones, so kept out of line.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Utf8Slice Unescape(ReadOnlySpan<byte> raw, ref AccessLogRecord record)
    {
        record.EnsureScratch(raw.Length);
        int start = record.ScratchLength;
        Span<byte> free = record.Scratch.AsSpan(start);
        int length = JsonUnescaper.Unescape(raw, free);
        if (IsAbsentText(free[..length]))
        {
            return default;
        }

        record.ScratchLength = start + length;
        return new Utf8Slice(start, length);
    }
}
