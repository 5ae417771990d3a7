using System.Runtime.CompilerServices;

namespace FastIngest.Core.Parsing.Combined;

/// <summary>
/// Parses one line of NGINX's classic <c>combined</c> format,
/// <c>$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"</c>,
/// optionally followed by the cache status as <c>"HIT"</c> or <c>cache=HIT</c>, into the same
/// <see cref="AccessLogRecord"/> the JSON parser fills, so both count the same way. Allocation-free.
/// </summary>
/// <remarks>
/// NGINX writes <c>"</c>, <c>\</c>, control and non-ASCII bytes of a value as <c>\xXX</c>: a backslash
/// escapes the byte after it, so only an unescaped quote ends a value, and an escaped value is decoded
/// (<see cref="NginxEscapes"/>) into the record's scratch, so it reads as the same request's JSON line does;
/// a plain value is referenced where it stands. The format has no <c>$bytes_sent</c> and no
/// <c>$request_time</c>: those stay absent (-1), not zero.
/// </remarks>
internal static class CombinedLogParser
{
    /// <summary>Parses one line, copying its text values into the record's scratch buffer.</summary>
    /// <param name="unrecognized">
    /// The reason for a line that does not even start as <c>$remote_addr - $remote_user [</c>: <c>not_combined</c>
    /// where the format was configured, <c>unknown_format</c> where it was detected (<see cref="MessageKind.AccessLog"/>).
    /// </param>
    public static bool TryParse(ReadOnlySpan<byte> line, ref AccessLogRecord record, out RejectReason reason, RejectReason unrecognized = RejectReason.NotCombined)
    {
        record.Reset();
        return Parse(line, ref record, out reason, unrecognized);
    }

    /// <summary>
    /// Parses the line at <paramref name="start"/> in <paramref name="buffer"/>, referencing its plain text
    /// values where they stand (only escaped ones are decoded into scratch): the caller keeps the bytes
    /// unchanged while it reads the record.
    /// </summary>
    public static bool TryParse(byte[] buffer, int start, int length, ref AccessLogRecord record, out RejectReason reason, RejectReason unrecognized = RejectReason.NotCombined)
    {
        record.Reset(buffer, start);
        return Parse(buffer.AsSpan(start, length), ref record, out reason, unrecognized);
    }

    // Kept out of its callers: inlined into one (the JIT did once the escapes made it larger), it left no
    // budget for its own helpers, and the time parse became a call (+20 % a plain line, ParseRounds, issue 16).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Parse(ReadOnlySpan<byte> line, ref AccessLogRecord record, out RejectReason reason, RejectReason unrecognized)
    {
        line = line.TrimEnd("\r\n"u8);
        if (line.IsEmpty)
        {
            reason = RejectReason.Empty;
            return false;
        }

        // $remote_addr - $remote_user [
        int space = line.IndexOf((byte)' ');
        int open = line.IndexOf(" ["u8);
        if (space <= 0 || open < space || !line[space..].StartsWith(" - "u8))
        {
            reason = unrecognized;
            return false;
        }

        Utf8Slice address = record.Keep(line, line[..space]);
        ReadOnlySpan<byte> rest = line[(open + 2)..];
        int close = rest.IndexOf((byte)']');
        if (close < 0 || !TryParseTimeLocal(rest[..close], out long timestampMs))
        {
            reason = close < 0 ? RejectReason.NotCombined : RejectReason.InvalidTime;
            return false;
        }

        rest = rest[(close + 1)..];
        if (!TryQuoted(ref rest, out ReadOnlySpan<byte> request, out bool requestEscaped)
            || !TryNumber(ref rest, out long status)
            || !TryNumberOrDash(ref rest, out long bodyBytes)
            || !TryQuoted(ref rest, out ReadOnlySpan<byte> referer, out bool refererEscaped)
            || !TryQuoted(ref rest, out ReadOnlySpan<byte> agent, out bool agentEscaped))
        {
            reason = RejectReason.NotCombined;
            return false;
        }

        if (status is < 100 or > 599)
        {
            reason = RejectReason.InvalidStatus;
            return false;
        }

        // A terabyte response is no real request: refused, never added (issue 13, item 6).
        if (bodyBytes > AccessLogRecord.MaxBytes)
        {
            reason = RejectReason.InvalidNumber;
            return false;
        }

        record.CacheStatus = TrailingCacheStatus(rest);

        // "GET /path?query HTTP/1.1"; a malformed request line ("-", garbage from scanners) keeps no path.
        // Split where NGINX's own spaces and '?' are (it never escapes them), then decode each part.
        int methodEnd = request.IndexOf((byte)' ');
        if (methodEnd > 0)
        {
            ReadOnlySpan<byte> method = request[..methodEnd];
            record.Method = Value(ref record, line, method, requestEscaped && method.Contains((byte)'\\'));
            ReadOnlySpan<byte> target = request[(methodEnd + 1)..];
            int targetEnd = target.IndexOf((byte)' ');
            target = targetEnd >= 0 ? target[..targetEnd] : target;
            int query = target.IndexOf((byte)'?');
            ReadOnlySpan<byte> path = query >= 0 ? target[..query] : target;
            record.Path = Value(ref record, line, path, requestEscaped && path.Contains((byte)'\\'));
            if (query >= 0)
            {
                ReadOnlySpan<byte> args = target[(query + 1)..];
                record.Query = Value(ref record, line, args, requestEscaped && args.Contains((byte)'\\'));
            }
        }

        record.RemoteAddr = address;
        record.Referer = referer.SequenceEqual("-"u8) ? default : Value(ref record, line, referer, refererEscaped);
        record.UserAgent = agent.SequenceEqual("-"u8) ? default : Value(ref record, line, agent, agentEscaped);
        record.Status = (ushort)status;
        record.BodyBytesSent = bodyBytes;
        record.TimestampMs = timestampMs;
        reason = RejectReason.None;
        return true;
    }

    /// <summary><c>10/Oct/2000:13:55:36 -0700</c>, NGINX's <c>$time_local</c>.</summary>
    public static bool TryParseTimeLocal(ReadOnlySpan<byte> text, out long unixMilliseconds)
    {
        unixMilliseconds = 0;
        if (text.Length != 26 || text[2] != '/' || text[6] != '/' || text[11] != ':' || text[14] != ':' || text[17] != ':' || text[20] != ' '
            || !CalendarText.TryDigits(text, 0, 2, out int day) || !CalendarText.TryParseMonth(text.Slice(3, 3), out int month)
            || !CalendarText.TryDigits(text, 7, 4, out int year) || !CalendarText.TryDigits(text, 12, 2, out int hour)
            || !CalendarText.TryDigits(text, 15, 2, out int minute) || !CalendarText.TryDigits(text, 18, 2, out int second)
            || !CalendarText.TryReadOffset(text[21..], out int offsetMinutes))
        {
            return false;
        }

        if (year < 1970 || day < 1 || day > CalendarText.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        // A leap second (:60) is the last second of its minute, not the next minute's first.
        long seconds = (CalendarText.DaysFromCivil(year, month, day) * 86_400L) + (hour * 3600) + (minute * 60) + Math.Min(second, 59) - (offsetMinutes * 60L);
        unixMilliseconds = seconds * 1000;
        return true;
    }

    /// <summary>What operators append for the cache: <c>"HIT"</c> or <c>cache=HIT</c>; anything else is no status.</summary>
    private static CacheStatus TrailingCacheStatus(ReadOnlySpan<byte> rest)
    {
        if (TryQuoted(ref rest, out ReadOnlySpan<byte> quoted, out _))
        {
            return CacheStatuses.Parse(quoted);
        }

        rest = rest.TrimStart((byte)' ');
        return rest.StartsWith("cache="u8) ? CacheStatuses.Parse(Token(rest[6..])) : CacheStatus.None;
    }

    /// <summary>A value referenced in place (or copied), or decoded into scratch when it has escapes.</summary>
    /// <remarks>The plain case is <see cref="AccessLogRecord.Keep"/> at the call site; decoding is the rare call.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Utf8Slice Value(ref AccessLogRecord record, ReadOnlySpan<byte> line, ReadOnlySpan<byte> value, bool escaped) =>
        escaped ? Unescaped(ref record, value) : record.Keep(line, value);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Utf8Slice Unescaped(ref AccessLogRecord record, ReadOnlySpan<byte> value)
    {
        record.EnsureScratch(value.Length);
        int length = NginxEscapes.Unescape(value, record.Scratch.AsSpan(record.ScratchLength));
        var slice = new Utf8Slice(record.ScratchLength, length);
        record.ScratchLength += length;
        return slice;
    }

    /// <summary>
    /// A <c>"…"</c> value. A backslash escapes the byte after it (NGINX's <c>\x22</c>, Apache's <c>\"</c>), so
    /// only an unescaped quote ends the value; <paramref name="escaped"/> says whether it has any backslash.
    /// </summary>
    private static bool TryQuoted(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> value, out bool escaped)
    {
        ReadOnlySpan<byte> s = rest.TrimStart((byte)' ');
        value = default;
        escaped = false;
        if (s.IsEmpty || s[0] != '"')
        {
            return false;
        }

        // One vectorised search per plain value, as the plain quote search was.
        int end = 1;
        while (true)
        {
            int next = s[end..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                return false;
            }

            end += next;
            if (s[end] == '"')
            {
                break;
            }

            escaped = true;
            end += 2;
            if (end >= s.Length)
            {
                return false;
            }
        }

        value = s[1..end];
        rest = s[(end + 1)..];
        return true;
    }

    private static bool TryNumber(ref ReadOnlySpan<byte> rest, out long value)
    {
        ReadOnlySpan<byte> token = Token(rest.TrimStart((byte)' '));
        rest = rest.TrimStart((byte)' ')[token.Length..];
        return TryDigits(token, out value);
    }

    private static bool TryNumberOrDash(ref ReadOnlySpan<byte> rest, out long value)
    {
        ReadOnlySpan<byte> token = Token(rest.TrimStart((byte)' '));
        rest = rest.TrimStart((byte)' ')[token.Length..];
        if (token.SequenceEqual("-"u8))
        {
            value = -1;
            return true;
        }

        return TryDigits(token, out value);
    }

    private static ReadOnlySpan<byte> Token(ReadOnlySpan<byte> s)
    {
        int end = s.IndexOf((byte)' ');
        return end < 0 ? s : s[..end];
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty || digits.Length > 18)
        {
            return false;
        }

        foreach (byte b in digits)
        {
            if ((uint)(b - '0') > 9)
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }
}
