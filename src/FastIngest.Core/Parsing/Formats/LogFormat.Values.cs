using System.Runtime.CompilerServices;
using FastIngest.Core.Parsing.Combined;
using FastIngest.Core.Parsing.Json;

namespace FastIngest.Core.Parsing.Formats;

/// <summary>Turning the values a line matched into the record's fields, as the built-in parsers do.</summary>
internal sealed partial class LogFormat
{
    /// <summary>
    /// Judges and stores the matched values. Refused, in this order: a missing or bad status, a missing or
    /// bad time (<c>$msec</c> wins over <c>$time_iso8601</c>, which wins over <c>$time_local</c>), a size or
    /// request time that is not a non-negative number in range; as <see cref="Json.NginxJsonParser"/> does.
    /// <c>-</c> is an absent value, as NGINX writes one.
    /// </summary>
    private bool Fill(ReadOnlySpan<byte> line, ReadOnlySpan<int> found, ref AccessLogRecord record, out RejectReason reason)
    {
        ReadOnlySpan<byte> status = Value(line, found, LogFormatVariable.Status);
        if (IsAbsent(status))
        {
            reason = RejectReason.MissingStatus;
            return false;
        }

        if (!FixedPoint.TryParseInteger(status, out long code) || code is < 100 or > 599)
        {
            reason = RejectReason.InvalidStatus;
            return false;
        }

        reason = ReadTime(line, found, out long timestampMs);
        if (reason != RejectReason.None)
        {
            return false;
        }

        // Each group is looked at only when the format has one of its variables (a bit test per group).
        if (HasAny(Bit(LogFormatVariable.BodyBytesSent) | Bit(LogFormatVariable.BytesSent) | Bit(LogFormatVariable.RequestTime))
            && (!TryReadSize(Value(line, found, LogFormatVariable.BodyBytesSent), AccessLogRecord.MaxBytes, integer: true, out record.BodyBytesSent)
                || !TryReadSize(Value(line, found, LogFormatVariable.BytesSent), AccessLogRecord.MaxBytes, integer: true, out record.BytesSent)
                || !TryReadSize(Value(line, found, LogFormatVariable.RequestTime), AccessLogRecord.MaxRequestTimeMs, integer: false, out record.RequestTimeMs)))
        {
            reason = RejectReason.InvalidNumber;
            return false;
        }

        record.Status = (ushort)code;
        record.TimestampMs = timestampMs;
        if (Has(LogFormatVariable.UpstreamCacheStatus))
        {
            record.CacheStatus = CacheStatuses.Parse(Value(line, found, LogFormatVariable.UpstreamCacheStatus));
        }

        if (HasAny(Bit(LogFormatVariable.HttpDnt) | Bit(LogFormatVariable.HttpSecGpc)))
        {
            record.DoNotTrack = Value(line, found, LogFormatVariable.HttpDnt).SequenceEqual("1"u8)
                || Value(line, found, LogFormatVariable.HttpSecGpc).SequenceEqual("1"u8);
        }

        record.RemoteAddr = Text(line, found, LogFormatVariable.RemoteAddr, ref record);
        record.Referer = Text(line, found, LogFormatVariable.HttpReferer, ref record);
        record.UserAgent = Text(line, found, LogFormatVariable.HttpUserAgent, ref record);
        if (HasAny(Bit(LogFormatVariable.HttpHost) | Bit(LogFormatVariable.Host) | Bit(LogFormatVariable.ServerName)))
        {
            ReadHost(line, found, ref record);
        }

        record.Method = Text(line, found, LogFormatVariable.RequestMethod, ref record);
        if (HasAny(Bit(LogFormatVariable.Uri) | Bit(LogFormatVariable.RequestUri)))
        {
            record.Path = BeforeQuery(Text(line, found, LogFormatVariable.Uri, ref record), ref record);
            if (Has(LogFormatVariable.RequestUri))
            {
                // $request_uri's query gives the tagged source (issue 18), whichever variable gives the path.
                Utf8Slice requestUri = Text(line, found, LogFormatVariable.RequestUri, ref record);
                int query = record.Text(requestUri).IndexOf((byte)'?');
                record.Query = query < 0 ? default : requestUri.Slice(query + 1, requestUri.Length - query - 1);
                if (record.Path.IsEmpty)
                {
                    record.Path = query < 0 ? requestUri : requestUri.Slice(0, query);
                }
            }
        }

        if ((record.Method.IsEmpty || record.Path.IsEmpty || (record.Query.IsEmpty && !Has(LogFormatVariable.RequestUri))) && Has(LogFormatVariable.Request))
        {
            ReadRequest(line, Value(line, found, LogFormatVariable.Request), ref record);
        }

        reason = RejectReason.None;
        return true;
    }

    /// <summary><c>$http_host</c>, else <c>$host</c>, else <c>$server_name</c>, as the JSON parser prefers <c>http_host</c>.</summary>
    private void ReadHost(ReadOnlySpan<byte> line, ReadOnlySpan<int> found, ref AccessLogRecord record)
    {
        record.Host = Text(line, found, LogFormatVariable.HttpHost, ref record);
        if (record.Host.IsEmpty)
        {
            record.Host = Text(line, found, LogFormatVariable.Host, ref record);
            if (record.Host.IsEmpty)
            {
                record.Host = Text(line, found, LogFormatVariable.ServerName, ref record);
            }
        }
    }

    private RejectReason ReadTime(ReadOnlySpan<byte> line, ReadOnlySpan<int> found, out long timestampMs)
    {
        timestampMs = 0;
        ReadOnlySpan<byte> msec = Value(line, found, LogFormatVariable.Msec);
        if (!IsAbsent(msec))
        {
            return FixedPoint.TryParseThousandths(msec, out timestampMs) ? RejectReason.None : RejectReason.InvalidTime;
        }

        ReadOnlySpan<byte> iso = Value(line, found, LogFormatVariable.TimeIso8601);
        if (!IsAbsent(iso))
        {
            return Iso8601.TryParseUnixMilliseconds(iso, out timestampMs) ? RejectReason.None : RejectReason.InvalidTime;
        }

        ReadOnlySpan<byte> local = Value(line, found, LogFormatVariable.TimeLocal);
        if (!IsAbsent(local))
        {
            return CombinedLogParser.TryParseTimeLocal(local, out timestampMs) ? RejectReason.None : RejectReason.InvalidTime;
        }

        return RejectReason.MissingTime;
    }

    /// <summary>A size or duration: -1 when absent or <c>-</c>; false when it is not a number up to <paramref name="max"/>.</summary>
    private static bool TryReadSize(ReadOnlySpan<byte> text, long max, bool integer, out long value)
    {
        if (IsAbsent(text))
        {
            value = -1;
            return true;
        }

        bool parsed = integer ? FixedPoint.TryParseInteger(text, out value) : FixedPoint.TryParseThousandths(text, out value);
        if (parsed && value <= max)
        {
            return true;
        }

        value = -1;
        return false;
    }

    /// <summary>
    /// <c>"GET /path?query HTTP/1.1"</c> as the combined parser reads it: the method unless
    /// <c>$request_method</c> gave one, the target cut at <c>?</c> unless <c>$uri</c> or <c>$request_uri</c>
    /// gave a path. A malformed request line (<c>-</c>, a TLS handshake on a plain port) keeps neither.
    /// </summary>
    /// <remarks>
    /// Split where NGINX's own spaces and <c>?</c> are (no escaping changes them), then each part decoded,
    /// exactly as the combined parser does it.
    /// </remarks>
    private void ReadRequest(ReadOnlySpan<byte> line, ReadOnlySpan<byte> request, ref AccessLogRecord record)
    {
        int methodEnd = request.IndexOf((byte)' ');
        if (methodEnd <= 0)
        {
            return;
        }

        ReadOnlySpan<byte> target = request[(methodEnd + 1)..];
        int targetEnd = target.IndexOf((byte)' ');
        target = targetEnd >= 0 ? target[..targetEnd] : target;
        int query = target.IndexOf((byte)'?');
        if (record.Method.IsEmpty)
        {
            record.Method = RequestPart(line, request[..methodEnd], ref record);
        }

        if (record.Path.IsEmpty)
        {
            record.Path = RequestPart(line, query >= 0 ? target[..query] : target, ref record);
        }

        if (record.Query.IsEmpty && query >= 0)
        {
            record.Query = RequestPart(line, target[(query + 1)..], ref record);
        }
    }

    /// <summary>A part of <c>$request</c>: as <see cref="Text"/>, but <c>-</c> is a value here (the combined parser keeps it too).</summary>
    private Utf8Slice RequestPart(ReadOnlySpan<byte> line, ReadOnlySpan<byte> part, ref AccessLogRecord record) =>
        Escape == LogFormatEscape.None || part.IndexOf((byte)'\\') < 0 ? record.Keep(line, part) : Unescape(part, ref record, keepDash: true);

    /// <summary>A path without what follows <c>?</c> ($uri is decoded, so %3F arrives as '?': issue 14).</summary>
    private static Utf8Slice BeforeQuery(Utf8Slice path, ref AccessLogRecord record)
    {
        int query = record.Text(path).IndexOf((byte)'?');
        return query < 0 ? path : path.Slice(0, query);
    }

    /// <summary>The text of <paramref name="variable"/>: empty when the format has none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Utf8Slice Text(ReadOnlySpan<byte> line, ReadOnlySpan<int> found, LogFormatVariable variable, ref AccessLogRecord record) =>
        Has(variable) ? Text(line, Value(line, found, variable), ref record) : default;

    /// <summary>A text value: empty when absent or <c>-</c>, referenced in the line when plain, unescaped into scratch when not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Utf8Slice Text(ReadOnlySpan<byte> line, ReadOnlySpan<byte> value, ref AccessLogRecord record)
    {
        if (IsAbsent(value))
        {
            return default;
        }

        if (Escape == LogFormatEscape.None || value.IndexOf((byte)'\\') < 0)
        {
            return record.Keep(line, value);
        }

        return Unescape(value, ref record);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Utf8Slice Unescape(ReadOnlySpan<byte> value, ref AccessLogRecord record, bool keepDash = false)
    {
        record.EnsureScratch(value.Length);
        int start = record.ScratchLength;
        Span<byte> free = record.Scratch.AsSpan(start);
        int length = Escape == LogFormatEscape.Json ? JsonUnescaper.Unescape(value, free) : NginxEscapes.Unescape(value, free);
        if (length == 0 || (!keepDash && IsAbsent(free[..length])))
        {
            return default;
        }

        record.ScratchLength = start + length;
        return new Utf8Slice(start, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsAbsent(ReadOnlySpan<byte> value) => value.IsEmpty || (value.Length == 1 && value[0] == '-');
}
