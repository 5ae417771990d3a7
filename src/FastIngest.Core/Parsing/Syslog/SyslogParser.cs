namespace FastIngest.Core.Parsing.Syslog;

/// <summary>
/// Finds the tenant and the body of one syslog message (one UDP datagram) in RFC 3164 form, as NGINX
/// sends it with or without <c>nohostname</c>, or in RFC 5424 form. Only the header is checked; the body
/// is the NGINX JSON line and is judged later. Allocation-free; bad data is reported, never thrown.
/// </summary>
internal static partial class SyslogParser
{
    /// <summary>The longest tenant (TAG or APP-NAME) accepted, in bytes.</summary>
    public const int MaxTenantLength = NameRules.MaxLength;

    private const int MaxPriority = 191;
    private const int MaxPriorityDigits = 3;

    // RFC 5424 caps TIME-SECFRAC at 6 digits; 9 lets nanosecond clocks through without harm.
    private const int MaxFractionDigits = 9;

    private const byte Space = (byte)' ';
    private const byte Colon = (byte)':';
    private const byte Dash = (byte)'-';
    private const byte Quote = (byte)'"';
    private const byte Backslash = (byte)'\\';
    private const byte OpenBracket = (byte)'[';
    private const byte CloseBracket = (byte)']';

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Parses the header of one syslog message. Trailing CR, LF and NUL are not part of the message.
    /// </summary>
    /// <remarks>
    /// RFC 3164 takes <c>&lt;PRI&gt;Mmm dd hh:mm:ss</c> or an RFC 3339 timestamp (rsyslog's high-precision
    /// template), then <c>HOST TAG:</c> or just <c>TAG:</c>: a first token that ends with ':' or holds '['
    /// is the TAG, otherwise it is the HOST and the TAG comes next. <c>TAG[pid]:</c> yields TAG. RFC 5424
    /// (<c>&lt;PRI&gt;1 </c>) takes its APP-NAME as the tenant and skips a leading UTF-8 BOM in MSG.
    /// A header that cannot be read is <see cref="RejectReason.SyslogHeader"/>, whatever its tenant; a
    /// readable one without a tenant is <see cref="RejectReason.MissingTenant"/>, and one whose tenant is
    /// not 1..<see cref="MaxTenantLength"/> bytes of <c>[A-Za-z0-9_.-]</c> is
    /// <see cref="RejectReason.InvalidTenant"/>.
    /// </remarks>
    /// <param name="message">One whole message; offsets in <paramref name="header"/> are relative to it.</param>
    /// <param name="header">Where the tenant and the body are; <see langword="default"/> when this returns <see langword="false"/>.</param>
    /// <param name="reason"><see cref="RejectReason.None"/>, or why the message was refused.</param>
    /// <returns><see langword="true"/> when the message has a usable header and tenant.</returns>
    public static bool TryParse(ReadOnlySpan<byte> message, out SyslogHeader header, out RejectReason reason)
    {
        header = default;

        // Senders that frame for files or C strings append these; a datagram needs no terminator.
        message = message[..(message.LastIndexOfAnyExcept((byte)'\r', (byte)'\n', (byte)'\0') + 1)];
        if (message.IsEmpty)
        {
            reason = RejectReason.Empty;
            return false;
        }

        if (!TryParsePriority(message, out int priority, out int pos))
        {
            reason = RejectReason.SyslogHeader;
            return false;
        }

        // "1 " cannot start either RFC 3164 timestamp (a month name or a four-digit year).
        return (uint)(pos + 1) < (uint)message.Length && message[pos] == (byte)'1' && message[pos + 1] == Space
            ? TryParseRfc5424(message, pos + 2, priority, out header, out reason)
            : TryParseRfc3164(message, pos, priority, out header, out reason);
    }

    private static bool TryParsePriority(ReadOnlySpan<byte> s, out int priority, out int next)
    {
        priority = 0;
        next = 0;
        if (s[0] != (byte)'<')
        {
            return false;
        }

        int i = 1;
        int value = 0;
        while (i <= MaxPriorityDigits && (uint)i < (uint)s.Length && IsDigit(s[i]))
        {
            value = (value * 10) + (s[i] - '0');
            i++;
        }

        // A fourth digit lands here too: it is not '>'.
        if (i == 1 || (uint)i >= (uint)s.Length || s[i] != (byte)'>' || value > MaxPriority)
        {
            return false;
        }

        priority = value;
        next = i + 1;
        return true;
    }

    private static bool TryParseRfc3164(ReadOnlySpan<byte> s, int pos, int priority, out SyslogHeader header, out RejectReason reason)
    {
        header = default;
        int i = SkipBsdTimestamp(s, pos);
        if (i < 0)
        {
            i = SkipRfc3339(s, pos);
        }

        // Without a timestamp, "<13>host tag: x" and "<13>tag: x" cannot be told apart from a bare MSG.
        if (i < 0 || (i < s.Length && s[i] != Space))
        {
            reason = RejectReason.SyslogHeader;
            return false;
        }

        int tokenStart = i + 1;
        ReadOnlySpan<byte> token = NextToken(s, tokenStart);

        // NGINX nohostname starts with "TAG:"; with a hostname the TAG is the second token.
        if (token.IsEmpty || (token[^1] != Colon && !token.Contains(OpenBracket)))
        {
            tokenStart += token.Length + 1;
            token = NextToken(s, tokenStart);
        }

        // A TAG ends with ':'; a token that does not is the start of a tag-less MSG.
        if (token.IsEmpty || token[^1] != Colon)
        {
            reason = RejectReason.MissingTenant;
            return false;
        }

        ReadOnlySpan<byte> tag = token[..^1];
        int bracket = tag.IndexOf(OpenBracket);
        if (bracket >= 0 && tag[^1] == CloseBracket)
        {
            tag = tag[..bracket];
        }

        if (!IsValidTenant(tag, out reason))
        {
            return false;
        }

        int bodyStart = tokenStart + token.Length;
        if (bodyStart < s.Length)
        {
            // The token ended at a space, which separates it from MSG.
            bodyStart++;
        }

        header = new SyslogHeader
        {
            Priority = priority,
            Format = SyslogFormat.Rfc3164,
            TenantStart = tokenStart,
            TenantLength = tag.Length,
            BodyStart = bodyStart,
            BodyLength = s.Length - bodyStart,
        };
        return true;
    }

    private static bool TryParseRfc5424(ReadOnlySpan<byte> s, int pos, int priority, out SyslogHeader header, out RejectReason reason)
    {
        header = default;
        int i = At(s, pos, Dash) ? pos + 1 : SkipRfc3339(s, pos);
        if (i < 0 || !At(s, i, Space))
        {
            reason = RejectReason.SyslogHeader;
            return false;
        }

        int appStart = -1;
        int appLength = 0;
        i = SkipField(s, i + 1); // HOSTNAME
        if (i >= 0)
        {
            appStart = i;
            i = SkipField(s, i);
            appLength = i - 1 - appStart;
        }

        if (i >= 0)
        {
            i = SkipField(s, i); // PROCID
        }

        if (i >= 0)
        {
            i = SkipField(s, i); // MSGID
        }

        if (i >= 0)
        {
            i = SkipStructuredData(s, i);
        }

        if (i < 0 || (i < s.Length && s[i] != Space))
        {
            reason = RejectReason.SyslogHeader;
            return false;
        }

        int bodyStart = i < s.Length ? i + 1 : i;
        if (s[bodyStart..].StartsWith(Utf8Bom))
        {
            bodyStart += Utf8Bom.Length;
        }

        ReadOnlySpan<byte> app = s.Slice(appStart, appLength);
        if (app.Length == 1 && app[0] == Dash)
        {
            reason = RejectReason.MissingTenant;
            return false;
        }

        if (!IsValidTenant(app, out reason))
        {
            return false;
        }

        header = new SyslogHeader
        {
            Priority = priority,
            Format = SyslogFormat.Rfc5424,
            TenantStart = appStart,
            TenantLength = appLength,
            BodyStart = bodyStart,
            BodyLength = s.Length - bodyStart,
        };
        return true;
    }

    private static bool IsValidTenant(ReadOnlySpan<byte> tenant, out RejectReason reason)
    {
        if (tenant.IsEmpty)
        {
            reason = RejectReason.MissingTenant;
            return false;
        }

        // The tenant becomes a ClickHouse value and a metric tag: keep it to a safe, bounded alphabet.
        if (!NameRules.IsValid(tenant))
        {
            reason = RejectReason.InvalidTenant;
            return false;
        }

        reason = RejectReason.None;
        return true;
    }

    private static bool At(ReadOnlySpan<byte> s, int i, byte value) => (uint)i < (uint)s.Length && s[i] == value;

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
