namespace FastIngest.Core.Parsing;

/// <summary>Stable snake_case names of <see cref="RejectReason"/>, as stored in ClickHouse and metrics.</summary>
internal static class RejectReasons
{
    private static readonly string[] s_names =
    [
        "none",
        "empty",
        "message_too_large",
        "syslog_header",
        "missing_tenant",
        "invalid_tenant",
        "not_json",
        "missing_status",
        "invalid_status",
        "missing_time",
        "invalid_time",
        "invalid_number",
        "too_many_tenants",
        "invalid_key",
        "unknown_tenant",
        "missing_field",
        "invalid_field",
        "field_too_long",
        "not_combined",
        "time_out_of_range",
        "new_tenant_rate",
        "new_tenant_address_rate",
        "unknown_format",
        "format_mismatch",
    ];

    public static string Name(RejectReason reason)
        => (uint)reason < (uint)s_names.Length ? s_names[(int)reason] : "unknown";

    public static int Count => s_names.Length;
}
