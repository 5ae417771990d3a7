using System.Runtime.CompilerServices;
using System.Text.Json;

namespace FastIngest.Core.Parsing.Json;

/// <summary>
/// Parses one line of NGINX <c>log_format fastingest escape=json</c> (nginx/fastingest.conf,
/// tests/data/nginx.conf) into an <see cref="AccessLogRecord"/>. Allocation-free once the record's
/// scratch buffer has grown to the longest line; bad data is reported, never thrown.
/// </summary>
internal static partial class NginxJsonParser
{
    // Sentinels for values that are read in any order and judged once the whole object is read.
    private const long Absent = long.MinValue;
    private const long Invalid = long.MinValue + 1;

    /// <summary>An escaped name longer than this cannot unescape to a known one (21 bytes × 6 per <c>\uXXXX</c>).</summary>
    private const int MaxEscapedNameLength = 128;

    /// <summary>
    /// Parses one line. Trailing whitespace (CR, LF) is fine; the line needs no newline.
    /// <paramref name="record"/> is reset first and holds the line's fields when this returns
    /// <see langword="true"/>; text values are slices of its <see cref="AccessLogRecord.Scratch"/>.
    /// </summary>
    /// <remarks>
    /// Every value may be a JSON string (as NGINX writes them) or a number; <c>null</c>, "" and "-"
    /// mean absent. Unknown properties, nested objects and arrays included, are skipped. A line is
    /// refused when it is not one JSON object (<see cref="RejectReason.NotJson"/>, checked first), then
    /// for its status, then for its time (<c>msec</c> wins over <c>time_iso8601</c> whatever the order),
    /// then for a size or request time that is not a non-negative number.
    /// </remarks>
    /// <returns><see langword="true"/> when the line is usable; otherwise <paramref name="reason"/> says why not.</returns>
    public static bool TryParse(ReadOnlySpan<byte> line, ref AccessLogRecord record, out RejectReason reason)
    {
        record.Reset();
        return Parse(line, ref record, out reason);
    }

    /// <summary>
    /// Parses the line at <paramref name="start"/> in <paramref name="buffer"/> as <see cref="TryParse(ReadOnlySpan{byte}, ref AccessLogRecord, out RejectReason)"/>
    /// does, but references its plain (unescaped) text values where they stand instead of copying them:
    /// the caller keeps the bytes unchanged while it reads the record. Only escaped values go to scratch.
    /// </summary>
    public static bool TryParse(byte[] buffer, int start, int length, ref AccessLogRecord record, out RejectReason reason)
    {
        record.Reset(buffer, start);
        return Parse(buffer.AsSpan(start, length), ref record, out reason);
    }

    private static bool Parse(ReadOnlySpan<byte> line, ref AccessLogRecord record, out RejectReason reason)
    {
        if (line.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            reason = RejectReason.Empty;
            return false;
        }

        long msec = Absent;
        long iso = Absent;
        long status = Absent;
        bool badNumber = false;
        Utf8Slice requestUri = default;
        Utf8Slice host = default;

        // time_iso8601 only matters without msec, and request_uri only without uri: NGINX writes both
        // of each pair, so their plain (unescaped) values stay slices of the line and are converted
        // (or kept) after the object only when needed. Escaped ones are converted at once, as before,
        // because they need the scratch buffer. (JsonLineBenchmarks: ~10 % of the parse.)
        ReadOnlySpan<byte> isoText = default;
        bool isoDeferred = false;
        ReadOnlySpan<byte> requestUriText = default;
        bool requestUriDeferred = false;

        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reason = RejectReason.NotJson;
                return false;
            }

            bool closed = false;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    // Nested values are skipped whole, so this is the top-level object's end.
                    closed = true;
                    break;
                }

                NginxJsonField field = reader.ValueIsEscaped ? LookupEscaped(reader.ValueSpan) : Lookup(reader.ValueSpan);
                reader.Read();
                if (field == NginxJsonField.Unknown)
                {
                    // Nearly always a string: only containers need Skip, which walks to their end.
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        reader.Skip();
                    }

                    continue;
                }

                switch (field)
                {
                    case NginxJsonField.Msec:
                        msec = ReadNumber(ref reader, ref record, Number.Thousandths);
                        break;
                    case NginxJsonField.TimeIso8601:
                        isoDeferred = IsPlain(ref reader);
                        if (isoDeferred)
                        {
                            isoText = reader.ValueSpan;
                        }
                        else
                        {
                            iso = ReadNumber(ref reader, ref record, Number.Iso8601);
                        }

                        break;
                    case NginxJsonField.Status:
                        status = ReadNumber(ref reader, ref record, Number.Integer);
                        break;
                    case NginxJsonField.BytesSent:
                        record.BytesSent = ReadSize(ref reader, ref record, Number.Integer, AccessLogRecord.MaxBytes, ref badNumber);
                        break;
                    case NginxJsonField.BodyBytesSent:
                        record.BodyBytesSent = ReadSize(ref reader, ref record, Number.Integer, AccessLogRecord.MaxBytes, ref badNumber);
                        break;
                    case NginxJsonField.RequestTime:
                        record.RequestTimeMs = ReadSize(ref reader, ref record, Number.Thousandths, AccessLogRecord.MaxRequestTimeMs, ref badNumber);
                        break;
                    case NginxJsonField.UpstreamCacheStatus:
                        record.CacheStatus = TryReadScalar(ref reader, ref record, out ReadOnlySpan<byte> cache)
                            ? CacheStatuses.Parse(cache)
                            : CacheStatus.None;
                        break;
                    case NginxJsonField.RequestMethod:
                        record.Method = ReadText(ref reader, ref record, line);
                        break;
                    case NginxJsonField.Uri:
                        record.Path = ReadText(ref reader, ref record, line);
                        break;
                    case NginxJsonField.RequestUri:
                        requestUriDeferred = IsPlain(ref reader);
                        if (requestUriDeferred)
                        {
                            requestUriText = reader.ValueSpan;
                        }
                        else
                        {
                            requestUri = ReadText(ref reader, ref record, line);
                        }

                        break;
                    case NginxJsonField.HttpHost:
                        record.Host = ReadText(ref reader, ref record, line);
                        break;
                    case NginxJsonField.Host:
                        host = ReadText(ref reader, ref record, line);
                        break;
                    case NginxJsonField.RemoteAddr:
                        record.RemoteAddr = ReadText(ref reader, ref record, line);
                        break;
                    case NginxJsonField.HttpUserAgent:
                        record.UserAgent = ReadText(ref reader, ref record, line);
                        break;
                    case NginxJsonField.HttpReferer:
                        record.Referer = ReadText(ref reader, ref record, line);
                        break;
                    case NginxJsonField.HttpDnt:
                    case NginxJsonField.HttpSecGpc:
                        // Either header set to 1 opts the visitor out; the request still counts.
                        record.DoNotTrack |= TryReadScalar(ref reader, ref record, out ReadOnlySpan<byte> optOut) && optOut.SequenceEqual("1"u8);
                        break;
                }
            }

            // With isFinalBlock the reader throws on truncation and on anything after the object;
            // these checks only keep that promise local.
            if (!closed || reader.Read())
            {
                reason = RejectReason.NotJson;
                return false;
            }
        }
        catch (JsonException)
        {
            // Cold: a broken line costs one exception; the reader offers no non-throwing validation.
            reason = RejectReason.NotJson;
            return false;
        }

        if (status == Absent)
        {
            reason = RejectReason.MissingStatus;
            return false;
        }

        if (status is < 100 or > 599)
        {
            reason = RejectReason.InvalidStatus;
            return false;
        }

        if (msec == Absent && isoDeferred)
        {
            iso = ParseNumber(isoText, Number.Iso8601);
        }

        long time = msec != Absent ? msec : iso;
        if (time == Absent)
        {
            reason = RejectReason.MissingTime;
            return false;
        }

        if (time == Invalid)
        {
            reason = RejectReason.InvalidTime;
            return false;
        }

        if (badNumber)
        {
            reason = RejectReason.InvalidNumber;
            return false;
        }

        record.Status = (ushort)status;
        record.TimestampMs = time;
        if (record.Path.IsEmpty && requestUriDeferred && !IsAbsentText(requestUriText))
        {
            requestUri = record.Keep(line, requestUriText);
        }

        if (record.Path.IsEmpty && !requestUri.IsEmpty)
        {
            int query = record.Text(requestUri).IndexOf((byte)'?');
            record.Path = query < 0 ? requestUri : new Utf8Slice(requestUri.Start, query);
        }
        else if (record.Text(record.Path).IndexOf((byte)'?') is int decoded and >= 0)
        {
            // $uri is decoded, so %3F arrives as '?': what follows is as private as a query (issue 14).
            record.Path = new Utf8Slice(record.Path.Start, decoded);
        }

        if (record.Host.IsEmpty)
        {
            record.Host = host;
        }

        reason = RejectReason.None;
        return true;
    }

    private enum Number
    {
        Integer,
        Thousandths,
        Iso8601,
    }

    private static NginxJsonField Lookup(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 when name.SequenceEqual("uri"u8) => NginxJsonField.Uri,
        4 when name.SequenceEqual("msec"u8) => NginxJsonField.Msec,
        4 when name.SequenceEqual("host"u8) => NginxJsonField.Host,
        8 when name.SequenceEqual("http_dnt"u8) => NginxJsonField.HttpDnt,
        6 when name.SequenceEqual("status"u8) => NginxJsonField.Status,
        9 when name.SequenceEqual("http_host"u8) => NginxJsonField.HttpHost,
        10 when name.SequenceEqual("bytes_sent"u8) => NginxJsonField.BytesSent,
        11 when name.SequenceEqual("request_uri"u8) => NginxJsonField.RequestUri,
        11 when name.SequenceEqual("remote_addr"u8) => NginxJsonField.RemoteAddr,
        12 when name.SequenceEqual("request_time"u8) => NginxJsonField.RequestTime,
        12 when name.SequenceEqual("time_iso8601"u8) => NginxJsonField.TimeIso8601,
        12 when name.SequenceEqual("http_referer"u8) => NginxJsonField.HttpReferer,
        12 when name.SequenceEqual("http_sec_gpc"u8) => NginxJsonField.HttpSecGpc,
        14 when name.SequenceEqual("request_method"u8) => NginxJsonField.RequestMethod,
        15 when name.SequenceEqual("body_bytes_sent"u8) => NginxJsonField.BodyBytesSent,
        15 when name.SequenceEqual("http_user_agent"u8) => NginxJsonField.HttpUserAgent,
        21 when name.SequenceEqual("upstream_cache_status"u8) => NginxJsonField.UpstreamCacheStatus,
        _ => NginxJsonField.Unknown,
    };

    /// <summary>NGINX never escapes a name it writes; someone else's JSON might.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static NginxJsonField LookupEscaped(ReadOnlySpan<byte> escaped)
    {
        if (escaped.Length > MaxEscapedNameLength)
        {
            return NginxJsonField.Unknown;
        }

        Span<byte> name = stackalloc byte[MaxEscapedNameLength];
        int length = JsonUnescaper.Unescape(escaped, name);
        return Lookup(name[..length]);
    }
}
