using System.ComponentModel.DataAnnotations;

namespace FastIngest.Server.Syslog;

/// <summary>Configuration section <c>FastIngest:Syslog</c>.</summary>
public sealed class SyslogOptions
{
    public const string SectionName = "FastIngest:Syslog";

    /// <summary>Address the syslog listeners bind to; <c>0.0.0.0</c> takes NGINX on other hosts.</summary>
    [Required]
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>UDP syslog port; 0 turns the UDP listener off.</summary>
    [Range(0, 65535)]
    public int UdpPort { get; set; } = 5514;

    /// <summary>
    /// Kernel receive buffer asked for the UDP socket. As root it is forced past
    /// <c>net.core.rmem_max</c> (SO_RCVBUFFORCE); otherwise raise that sysctl (see README).
    /// </summary>
    [Range(64 * 1024, 1024 * 1024 * 1024)]
    public int UdpReceiveBufferBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Larger messages are rejected as <c>message_too_large</c>.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;
}
