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
        // A line that starts its object at once (every line NGINX writes) is not blank: the search for
        // anything but whitespace, whose per-call setup showed in the profile (~2 %), is for the rest.
        if (line.IsEmpty || (line[0] != '{' && line.IndexOfAnyExcept(" \t\r\n"u8) < 0))
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
            // The one-argument constructor: the same final block and default options, without copying a default
            // JsonReaderState in by value (a rep movsq per line in the profile).
            var reader = new Utf8JsonReader(line);
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
        if (requestUriDeferred && !IsAbsentText(requestUriText))
        {
            requestUri = record.Keep(line, requestUriText);
        }

        // request_uri's query gives the tagged source (issue 18), whichever field gives the path.
        int query = requestUri.IsEmpty ? -1 : record.Text(requestUri).IndexOf((byte)'?');
        if (query >= 0)
        {
            record.Query = requestUri.Slice(query + 1, requestUri.Length - query - 1);
        }

        if (record.Path.IsEmpty && !requestUri.IsEmpty)
        {
            record.Path = query < 0 ? requestUri : requestUri.Slice(0, query);
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

    /// <summary>
    /// The field a property name is. One jump on the length, then one byte that tells the names of that
    /// length apart, then one comparison (unrolled for a literal): at most one compare per name, known or
    /// not, instead of up to four in a row (issue 15: ~9 % of the parse was this lookup).
    /// </summary>
    private static NginxJsonField Lookup(ReadOnlySpan<byte> name)
    {
        switch (name.Length)
        {
            case 3:
                return Is(name, "uri"u8, NginxJsonField.Uri);
            case 4:
                return name[0] == 'm' ? Is(name, "msec"u8, NginxJsonField.Msec) : Is(name, "host"u8, NginxJsonField.Host);
            case 6:
                return Is(name, "status"u8, NginxJsonField.Status);
            case 8:
                return Is(name, "http_dnt"u8, NginxJsonField.HttpDnt);
            case 9:
                return Is(name, "http_host"u8, NginxJsonField.HttpHost);
            case 10:
                return Is(name, "bytes_sent"u8, NginxJsonField.BytesSent);
            case 11:
                return name[2] == 'q' ? Is(name, "request_uri"u8, NginxJsonField.RequestUri) : Is(name, "remote_addr"u8, NginxJsonField.RemoteAddr);
            case 12:
                // The eighth byte differs in all four: request_time, time_iso8601, http_referer, http_sec_gpc.
                return name[7] switch
                {
                    (byte)'_' => Is(name, "request_time"u8, NginxJsonField.RequestTime),
                    (byte)'o' => Is(name, "time_iso8601"u8, NginxJsonField.TimeIso8601),
                    (byte)'f' => Is(name, "http_referer"u8, NginxJsonField.HttpReferer),
                    (byte)'c' => Is(name, "http_sec_gpc"u8, NginxJsonField.HttpSecGpc),
                    _ => NginxJsonField.Unknown,
                };
            case 14:
                return Is(name, "request_method"u8, NginxJsonField.RequestMethod);
            case 15:
                return name[0] == 'b' ? Is(name, "body_bytes_sent"u8, NginxJsonField.BodyBytesSent) : Is(name, "http_user_agent"u8, NginxJsonField.HttpUserAgent);
            case 21:
                return Is(name, "upstream_cache_status"u8, NginxJsonField.UpstreamCacheStatus);
            default:
                return NginxJsonField.Unknown;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static NginxJsonField Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> known, NginxJsonField field) =>
        name.SequenceEqual(known) ? field : NginxJsonField.Unknown;

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
