using System.ComponentModel.DataAnnotations;
using FastIngest.Server.Infrastructure;

namespace FastIngest.Server.Operations;

/// <summary>
/// Configuration section <c>FastIngest:Management</c>: who may read <c>/metrics</c> (it lists tenant
/// names) and <c>/health</c>'s details. Neither <see cref="Port"/> nor <see cref="Key"/> set (the
/// default, as before): both are open on the HTTP port. Either set: the public <c>/health</c> says only
/// its status, and the details and <c>/metrics</c> need the management port or the key.
/// </summary>
public sealed class ManagementOptions
{
    public const string SectionName = "FastIngest:Management";

    /// <summary>A listener of its own for <c>/health</c> and <c>/metrics</c> (e.g. 9090); 0: none.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    [Required]
    [IPAddress]
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>A secret sent as <c>Authorization: Bearer …</c> to read <c>/metrics</c> and <c>/health</c>'s details on any port.</summary>
    [MinLength(16)]
    public string? Key { get; set; }

    /// <summary>
    /// How often the server asks ClickHouse whether it answers, when no insert has told it so since;
    /// <c>/health</c> reports the last answer and never asks itself.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>True when <c>/metrics</c> and <c>/health</c>'s details are not public.</summary>
    public bool Restricted => Port > 0 || !string.IsNullOrEmpty(Key);
}
