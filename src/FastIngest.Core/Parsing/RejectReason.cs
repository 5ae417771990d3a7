namespace FastIngest.Core.Parsing;

/// <summary>
/// Why an input was refused. Parsers return one of these instead of throwing; the shard that owns the
/// input counts it per (source, tenant, reason) and keeps a few samples (see <c>ingest_errors</c>).
/// </summary>
/// <remarks>Values are persisted by name (<see cref="RejectReasons.Name"/>): rename with care.</remarks>
internal enum RejectReason : byte
{
    None = 0,
    Empty,
    MessageTooLarge,
    SyslogHeader,
    MissingTenant,
    InvalidTenant,
    NotJson,
    MissingStatus,
    InvalidStatus,
    MissingTime,
    InvalidTime,
    InvalidNumber,
    TooManyTenants,
    InvalidKey,
    UnknownTenant,
    MissingField,
    InvalidField,
    FieldTooLong,
    NotCombined,
    /// <summary>A live door's request time outside <c>[arrival − MaxLateness, arrival + MaxAhead]</c>.</summary>
    TimeOutOfRange,
    /// <summary>A tenant new to its shard, past the door's <c>NewTenantsPerMinutePerDoor</c>.</summary>
    NewTenantRate,
    /// <summary>A tenant new to its shard, past the sender address's <c>NewTenantsPerMinutePerAddress</c>.</summary>
    NewTenantAddressRate,
    /// <summary>
    /// An access-log line whose format is detected (syslog, a file with <c>Format</c> <c>auto</c>) that starts
    /// like neither NGINX JSON (<c>{</c>) nor <c>combined</c> (<c>$remote_addr - $remote_user [</c>).
    /// </summary>
    UnknownFormat,
    /// <summary>A line that does not follow the custom <c>log_format</c> its tag or file is mapped to.</summary>
    FormatMismatch,
}
