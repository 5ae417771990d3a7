using System.ComponentModel.DataAnnotations;
using FastIngest.Server.Infrastructure;

namespace FastIngest.Server.Syslog;

/// <summary>Configuration section <c>FastIngest:Syslog</c>.</summary>
public sealed class SyslogOptions
{
    public const string SectionName = "FastIngest:Syslog";

    /// <summary>Address the syslog listeners bind to; <c>0.0.0.0</c> takes NGINX on other hosts.</summary>
    [Required]
    [IPAddress]
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

    /// <summary>
    /// TCP syslog port (RFC 6587: octet counting and LF framing, detected per message); 0 turns the
    /// TCP listener off. May equal <see cref="UdpPort"/>.
    /// </summary>
    [Range(0, 65535)]
    public int TcpPort { get; set; } = 5514;

    /// <summary>Open TCP connections at most; more are closed at once, with a warning.</summary>
    [Range(1, 1_000_000)]
    public int TcpMaxConnections { get; set; } = 10_000;

    /// <summary>A TCP connection that sends nothing for this long is closed (relays reconnect).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan TcpIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Larger messages are rejected as <c>message_too_large</c>; over TCP the connection then skips to
    /// the next frame.
    /// </summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024;
}
