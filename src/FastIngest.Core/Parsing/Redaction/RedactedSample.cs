using System.Text;
using FastIngest.Core.Parsing.Events;

namespace FastIngest.Core.Parsing.Redaction;

/// <summary>
/// What <c>ingest_errors.sample</c> keeps of a refused input: its shape, never its personal values
/// (issue 14, item 3). A JSON line or event is described property by property: every name, each value's
/// kind and length, the value itself only for fields that carry no personal data (status, times, sizes,
/// method, cache status, event type), and the fields the reason points at marked with <c>&lt;-</c>.
/// Anything else (combined lines, syslog headers, garbage) keeps its length, a few counts and a mask of
/// its first bytes in which every letter is <c>a</c> and every digit <c>9</c>. Paths keep no segment and
/// no query. The result is ASCII and at most the given number of bytes.
/// </summary>
/// <remarks>Cold: a shard describes at most a few rejects per reason per minute; the rest are only counted.</remarks>
internal static partial class RedactedSample
{
    /// <summary>Input bytes the text mask shows; enough for a syslog header or the start of a log line.</summary>
    public const int MaskBytes = 96;

    /// <summary>Describes one refused input of the given kind, for the given reason.</summary>
    public static string Describe(MessageKind kind, RejectReason reason, ReadOnlySpan<byte> input, int maxBytes)
    {
        var sample = new StringBuilder(Math.Min(maxBytes, 1024));
        switch (kind)
        {
            case MessageKind.PixelHit:
                DescribePixelHit(sample, input);
                break;
            case MessageKind.Event:
                DescribeEventMessage(sample, input);
                break;
            case MessageKind.CombinedLog:
                DescribeText(sample, "combined", input);
                break;
            case MessageKind.CustomLog when input.TrimStart(" \t"u8) is not [(byte)'{', ..]:
                // An operator's own format; one written as JSON (escape=json) is described as JSON below.
                DescribeText(sample, "log_format", input);
                break;
            default:
                // A door's own reject (syslog header, pixel URL, event JSON) or an NGINX JSON line.
                ReadOnlySpan<byte> trimmed = input.TrimStart(" \t\r\n"u8);
                if (!trimmed.IsEmpty && trimmed[0] == '{')
                {
                    DescribeJson(sample, reason, input);
                }
                else if (kind == MessageKind.Rejected && !trimmed.IsEmpty && trimmed[0] == '/')
                {
                    DescribeUrlPath(sample, input);
                }
                else
                {
                    // A detected line that is not JSON was read as combined, or as nothing known.
                    DescribeText(sample, kind switch
                    {
                        MessageKind.Rejected => "text",
                        MessageKind.AccessLog => reason == RejectReason.UnknownFormat ? "text" : "combined",
                        _ => "json",
                    }, input);
                }

                break;
        }

        // Everything appended is ASCII, so characters are bytes.
        if (sample.Length > maxBytes)
        {
            sample.Length = Math.Max(0, maxBytes - 3);
            sample.Append("...");
            sample.Length = Math.Min(sample.Length, maxBytes);
        }

        return sample.ToString();
    }

    /// <summary>Length, counts and a letter/digit mask of text that is not (or not only) JSON.</summary>
    private static void DescribeText(StringBuilder sample, string format, ReadOnlySpan<byte> input)
    {
        sample.Append(format).Append(' ').Append(input.Length).Append(" B");
        if (input.IsEmpty)
        {
            return;
        }

        sample.Append(", starts with ");
        AppendClass(sample, input[0]);
        sample.Append(", quotes=").Append(input.Count((byte)'"'))
            .Append(" spaces=").Append(input.Count((byte)' '))
            .Append(" braces=").Append(input.Count((byte)'{'))
            .Append(" lines=").Append(input.Count((byte)'\n') + 1)
            .Append(", shape: ");
        AppendMask(sample, input[..Math.Min(input.Length, MaskBytes)]);
        if (input.Length > MaskBytes)
        {
            sample.Append("...");
        }
    }

    private static void AppendClass(StringBuilder sample, byte first)
    {
        switch (first)
        {
            case (byte)'<':
                sample.Append("'<' (syslog header?)");
                break;
            case (byte)'{':
                sample.Append("'{' (JSON object)");
                break;
            case (byte)'[':
                sample.Append("'[' (JSON array)");
                break;
            case >= (byte)'0' and <= (byte)'9':
                sample.Append("a digit (address or octet count?)");
                break;
            case >= (byte)'a' and <= (byte)'z':
            case >= (byte)'A' and <= (byte)'Z':
                sample.Append("a letter");
                break;
            case >= 0x80:
                sample.Append("a non-ASCII byte");
                break;
            case < 0x20 or 0x7F:
                sample.Append("a control byte");
                break;
            default:
                sample.Append('\'').Append((char)first).Append('\'');
                break;
        }
    }

    /// <summary>Letters become <c>a</c>, digits <c>9</c>, other bytes beyond printable ASCII <c>~</c>: structure, no values.</summary>
    private static void AppendMask(StringBuilder sample, ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
        {
            sample.Append(b switch
            {
                >= (byte)'0' and <= (byte)'9' => '9',
                >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' => 'a',
                (byte)'@' => 'a',
                >= 0x20 and < 0x7F => (char)b,
                _ => '~',
            });
        }
    }

    /// <summary>
    /// A pixel URL refused at the door (<c>/p/tenant/key.gif</c>): segments that are valid names (tenant and
    /// key names are the operator's, not a person's) as they are, others masked; never a query.
    /// </summary>
    private static void DescribeUrlPath(StringBuilder sample, ReadOnlySpan<byte> input)
    {
        int query = input.IndexOf((byte)'?');
        ReadOnlySpan<byte> path = query >= 0 ? input[..query] : input;
        sample.Append("url ").Append(path.Length).Append(" B: ");
        foreach (Range range in path.Split((byte)'/'))
        {
            ReadOnlySpan<byte> segment = path[range];
            if (range.Start.Value > 0)
            {
                sample.Append('/');
            }

            if (NameRules.IsValid(segment) && IsSafe(Encoding.ASCII.GetString(segment), allowDigitRuns: false))
            {
                sample.Append(Encoding.ASCII.GetString(segment));
            }
            else
            {
                AppendMask(sample, segment[..Math.Min(segment.Length, NameRules.MaxLength)]);
            }
        }

        if (query >= 0)
        {
            sample.Append("?<query ").Append(input.Length - query - 1).Append(" B>");
        }
    }

    /// <summary><c>&lt;path 12 B, 3 segments&gt;?&lt;query 42 B&gt;</c>: a path may name a person, a query carry a token.</summary>
    private static void AppendPath(StringBuilder sample, ReadOnlySpan<byte> value)
    {
        int query = value.IndexOf((byte)'?');
        ReadOnlySpan<byte> path = query >= 0 ? value[..query] : value;
        sample.Append("<path ").Append(path.Length).Append(" B, ").Append(path.Count((byte)'/')).Append(" segments>");
        if (query >= 0)
        {
            sample.Append("?<query ").Append(value.Length - query - 1).Append(" B>");
        }
    }

    /// <summary>A pixel hit the door encoded, refused on the shard (time, tenant): its time and sizes.</summary>
    private static void DescribePixelHit(StringBuilder sample, ReadOnlySpan<byte> input)
    {
        if (!PixelHit.TryDecode(input, out PixelHit hit))
        {
            sample.Append("pixel hit ").Append(input.Length).Append(" B, undecodable");
            return;
        }

        sample.Append("pixel hit time_ms=").Append(hit.TimestampMs)
            .Append(" key=<").Append(hit.Key.Length).Append(" B> address=<ip ").Append(hit.Address.Length)
            .Append(" B> user_agent=<").Append(hit.UserAgent.Length).Append(" B>");
    }

    /// <summary>An event the door encoded, refused on the shard (time, tenant): its time and sizes.</summary>
    private static void DescribeEventMessage(StringBuilder sample, ReadOnlySpan<byte> input)
    {
        if (!EventMessage.TryDecode(input, out EventMessage message))
        {
            sample.Append("event ").Append(input.Length).Append(" B, undecodable");
            return;
        }

        sample.Append("event time_ms=").Append(message.TimestampMs)
            .Append(" event_type=<").Append(message.EventType.Length).Append(" B> path=");
        AppendPath(sample, message.Path);
        sample.Append(" user_id=<").Append(message.UserId.Length).Append(" B>");
    }
}
