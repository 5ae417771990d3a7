namespace FastIngest.Core.Parsing.Syslog;

/// <summary>
/// Where the parts of one syslog message are. Offsets are relative to the span given to
/// <see cref="SyslogParser.TryParse"/>, so the caller slices its own buffer and nothing is copied.
/// </summary>
internal readonly struct SyslogHeader
{
    /// <summary>The <c>&lt;PRI&gt;</c> value (facility × 8 + severity), 0..191.</summary>
    public int Priority { get; init; }

    /// <summary>The header layout the message used.</summary>
    public SyslogFormat Format { get; init; }

    /// <summary>Start of the tenant: the RFC 3164 TAG without <c>[pid]</c> and <c>:</c>, or the RFC 5424 APP-NAME.</summary>
    public int TenantStart { get; init; }

    /// <summary>Length of the tenant, 1..<see cref="SyslogParser.MaxTenantLength"/>.</summary>
    public int TenantLength { get; init; }

    /// <summary>Start of MSG, after a leading UTF-8 BOM (RFC 5424).</summary>
    public int BodyStart { get; init; }

    /// <summary>Length of MSG without trailing CR, LF and NUL; 0 when the message has none.</summary>
    public int BodyLength { get; init; }
}
