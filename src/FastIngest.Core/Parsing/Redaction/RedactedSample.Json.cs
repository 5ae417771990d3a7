using System.Text;
using System.Text.Json;
using FastIngest.Core.Parsing.Events;

namespace FastIngest.Core.Parsing.Redaction;

internal static partial class RedactedSample
{
    /// <summary>Longest value shown as is: a status, a time, a size, a method; longer ones are described.</summary>
    private const int MaxShownValueBytes = 40;

    /// <summary>How a property's value may appear in a sample.</summary>
    private enum Policy
    {
        /// <summary>Kind and length only: addresses, agents, referers, user ids, cookies, unknown fields.</summary>
        Hidden,

        /// <summary>Shown when short and made of safe characters: no personal data lives there.</summary>
        Shown,

        /// <summary>Length and segment count of the path, length of the query.</summary>
        Path,
    }

    /// <summary>
    /// <c>json 312 B: {"msec":"abc" &lt;-invalid_time, "status":200, "remote_addr":&lt;string 13 B&gt;, …}</c>,
    /// and where a line stops being JSON, the byte offset of the error.
    /// </summary>
    private static void DescribeJson(StringBuilder sample, RejectReason reason, ReadOnlySpan<byte> input)
    {
        sample.Append("json ").Append(input.Length).Append(" B: {");
        var reader = new Utf8JsonReader(input, isFinalBlock: true, state: default);
        bool suspectSeen = false;
        int properties = 0;
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString() ?? "";
                reader.Read();
                if (properties++ > 0)
                {
                    sample.Append(", ");
                }

                AppendName(sample, name);
                sample.Append(':');
                int length = AppendValue(sample, PolicyOf(name), ref reader);
                if (IsSuspect(name, reason, reader.TokenType, length))
                {
                    suspectSeen = true;
                    sample.Append(" <-").Append(RejectReasons.Name(reason));
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }

            sample.Append('}');
            if (reader.Read())
            {
                sample.Append(" then more after the object at byte ").Append(reader.TokenStartIndex);
            }
        }
        catch (InvalidOperationException)
        {
            // GetString of a value that is not UTF-8: the reader checks structure, not encoding.
            sample.Append(" ... not UTF-8 near byte ").Append(reader.BytesConsumed);
        }
        catch (JsonException e)
        {
            // Cold: the offset and what the reader expected tell a broken log_format from a cut line.
            sample.Append(" ... not JSON at byte ").Append(e.BytePositionInLine ?? reader.BytesConsumed);
            if (reader.BytesConsumed >= input.Length)
            {
                sample.Append(" (cut short)");
            }
        }

        if (!suspectSeen && Suspects(reason) is { } expected)
        {
            sample.Append(" (no ").Append(expected).Append(')');
        }
    }

    private static Policy PolicyOf(string name) => name switch
    {
        "msec" or "time_iso8601" or "time_local" or "timestamp" or "status" or "bytes_sent" or "body_bytes_sent"
            or "request_time" or "upstream_cache_status" or "request_method" or "http_dnt" or "http_sec_gpc"
            or "site_id" or "event_type" or "http_host" or "host" or "server_protocol" or "scheme" => Policy.Shown,
        "uri" or "request_uri" or "path" or "request" => Policy.Path,
        _ => Policy.Hidden,
    };

    /// <summary>The fields a reason points at, for a sample to mark; null when it names none.</summary>
    private static string? Suspects(RejectReason reason) => reason switch
    {
        RejectReason.MissingStatus or RejectReason.InvalidStatus => "status",
        RejectReason.MissingTime or RejectReason.InvalidTime or RejectReason.TimeOutOfRange => "msec, time_iso8601 or timestamp",
        RejectReason.InvalidNumber => "bytes_sent, body_bytes_sent or request_time",
        RejectReason.MissingTenant or RejectReason.InvalidTenant or RejectReason.UnknownTenant => "http_host or site_id",
        RejectReason.MissingField => "event_type",
        _ => null,
    };

    private static bool IsSuspect(string name, RejectReason reason, JsonTokenType token, int length) => reason switch
    {
        RejectReason.MissingStatus or RejectReason.InvalidStatus => name == "status",
        RejectReason.MissingTime or RejectReason.InvalidTime or RejectReason.TimeOutOfRange => name is "msec" or "time_iso8601" or "timestamp",
        RejectReason.InvalidNumber => name is "bytes_sent" or "body_bytes_sent" or "request_time",
        RejectReason.MissingTenant or RejectReason.InvalidTenant or RejectReason.UnknownTenant => name is "http_host" or "host" or "site_id",
        RejectReason.MissingField => name == "event_type",
        // An event's fields are strings (a user_id may be a number) or null.
        RejectReason.InvalidField => name is "site_id" or "event_type" or "path" or "user_id"
            && token is not (JsonTokenType.String or JsonTokenType.Null) && !(name == "user_id" && token == JsonTokenType.Number),
        RejectReason.FieldTooLong => name switch
        {
            "site_id" => length > EventJsonParser.MaxSiteIdBytes,
            "event_type" => length > EventJsonParser.MaxEventTypeBytes,
            "path" => length > EventJsonParser.MaxPathBytes,
            "user_id" => length > EventJsonParser.MaxUserIdBytes,
            _ => false,
        },
        _ => false,
    };

    /// <summary>A property name as is when it looks like one; a name made of data is described.</summary>
    private static void AppendName(StringBuilder sample, string name)
    {
        if (name.Length is > 0 and <= MaxShownValueBytes && IsSafe(name, allowDigitRuns: false))
        {
            sample.Append('"').Append(name).Append('"');
        }
        else
        {
            sample.Append("<name ").Append(Encoding.UTF8.GetByteCount(name)).Append(" B>");
        }
    }

    /// <returns>The value's length in bytes (unescaped for strings); 0 for containers and literals.</returns>
    private static int AppendValue(StringBuilder sample, Policy policy, ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                string text = reader.GetString() ?? "";
                int length = Encoding.UTF8.GetByteCount(text);
                if (policy == Policy.Shown && length <= MaxShownValueBytes && IsSafe(text, allowDigitRuns: true))
                {
                    sample.Append('"').Append(text).Append('"');
                }
                else if (policy == Policy.Path)
                {
                    sample.Append('"');
                    AppendPath(sample, Encoding.UTF8.GetBytes(text));
                    sample.Append('"');
                }
                else
                {
                    sample.Append("<string ").Append(length).Append(" B>");
                }

                return length;
            case JsonTokenType.Number:
                ReadOnlySpan<byte> number = reader.ValueSpan;
                if (policy == Policy.Shown && number.Length <= MaxShownValueBytes)
                {
                    sample.Append(Encoding.ASCII.GetString(number));
                }
                else
                {
                    sample.Append("<number ").Append(number.Length).Append(" B>");
                }

                return number.Length;
            case JsonTokenType.True:
                sample.Append("true");
                return 0;
            case JsonTokenType.False:
                sample.Append("false");
                return 0;
            case JsonTokenType.Null:
                sample.Append("null");
                return 0;
            case JsonTokenType.StartObject:
                sample.Append("<object>");
                return 0;
            default:
                sample.Append("<array>");
                return 0;
        }
    }

    /// <summary>
    /// Printable ASCII without quotes, backslashes, <c>@</c> (an e-mail), <c>=</c>, <c>;</c>, <c>?</c>,
    /// <c>&amp;</c> or <c>/</c> (a cookie, a query, a path), and no run shaped like an IP address: what is
    /// left is a status, a time, a number or a name. A name (<paramref name="allowDigitRuns"/> false) holds
    /// no run of 5 digits either: a phone number or an id is no field name.
    /// </summary>
    private static bool IsSafe(string text, bool allowDigitRuns)
    {
        int digitRun = 0;
        foreach (char c in text)
        {
            if (c is < ' ' or > '~' or '"' or '\\' or '@' or '=' or ';' or '?' or '&' or '/')
            {
                return false;
            }

            digitRun = char.IsAsciiDigit(c) ? digitRun + 1 : 0;
            if (!allowDigitRuns && digitRun >= 5)
            {
                return false;
            }
        }

        return !ContainsAddress(text);
    }

    /// <summary>
    /// A run of digits and dots with 3 dots (1.2.3.4), or of hex digits, colons and dots with <c>::</c> or 6
    /// colons (::1, fe80::1, 2001:db8:0:0:0:0:0:1); a time like 22:39:59 is neither.
    /// </summary>
    private static bool ContainsAddress(string text)
    {
        int dots = 0;
        int colons = 0;
        bool doubleColon = false;
        bool decimalOnly = true;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : ' ';
            if (char.IsAsciiHexDigit(c) || c is ':' or '.')
            {
                dots += c == '.' ? 1 : 0;
                colons += c == ':' ? 1 : 0;
                doubleColon |= c == ':' && i > 0 && text[i - 1] == ':';
                decimalOnly &= char.IsAsciiDigit(c) || c == '.';
                continue;
            }

            if ((decimalOnly && dots >= 3) || doubleColon || colons >= 6)
            {
                return true;
            }

            dots = colons = 0;
            doubleColon = false;
            decimalOnly = true;
        }

        return false;
    }
}
