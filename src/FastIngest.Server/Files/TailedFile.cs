using System.ComponentModel.DataAnnotations;

namespace FastIngest.Server.Files;

/// <summary>One tailed log, or several through a glob.</summary>
public sealed class TailedFile
{
    /// <summary>
    /// A file, or a glob (<c>/var/log/nginx/*/access.log</c>, <c>**</c> allowed) expanded at start: each
    /// match is tailed on its own. A plain path that does not exist yet is waited for.
    /// </summary>
    [Required]
    public string Path { get; set; } = "";

    /// <summary>
    /// <c>auto</c> (each line by its first byte: <c>{</c> is NGINX JSON, anything else <c>combined</c>, as syslog
    /// does), <c>json</c> (the <c>fastingest</c> log_format), <c>combined</c>, or the name of one of the
    /// operator's own formats (<c>FastIngest:Formats:&lt;name&gt;</c>). A fixed format refuses the other's
    /// lines (<c>not_json</c>, <c>not_combined</c>, <c>format_mismatch</c>).
    /// </summary>
    public string Format { get; set; } = "auto";

    /// <summary>The tenant every line counts for; or leave empty and set <see cref="TenantFromPath"/>.</summary>
    public string Tenant { get; set; } = "";

    /// <summary>
    /// Each line's tenant is its <c>http_host</c> (port dropped), for a log that mixes virtual hosts;
    /// <c>json</c> format only (the combined format has no host).
    /// </summary>
    public bool TenantFromHost { get; set; }

    /// <summary>A regular expression with a <c>tenant</c> group, matched against each file's full path, e.g. <c>/nginx/(?&lt;tenant&gt;[^/]+)/access\.log$</c>.</summary>
    public string TenantFromPath { get; set; } = "";
}
