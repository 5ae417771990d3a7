using System.ComponentModel.DataAnnotations;
using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Server.Infrastructure;

namespace FastIngest.Server.Syslog;

/// <summary>Configuration section <c>FastIngest:Syslog</c>.</summary>
public sealed class SyslogOptions : IValidatableObject
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
    /// UDP receive sockets on <see cref="UdpPort"/>, bound with <c>SO_REUSEPORT</c>, each read by its own
    /// thread with <c>recvmmsg</c> and given <see cref="UdpReceiveBufferBytes"/>; the kernel spreads
    /// senders over them by address and port. 0 (the default): one per processor. Linux only; elsewhere
    /// one socket.
    /// </summary>
    [Range(0, 256)]
    public int UdpReceivers { get; set; }

    /// <summary>
    /// Lets several FastIngest processes on one host share <see cref="UdpPort"/>, <see cref="TcpPort"/> and
    /// <see cref="TlsPort"/>: every syslog listening socket gets <c>SO_REUSEPORT</c> before it binds, and the
    /// kernel spreads datagrams (by sender address and port) and connections over the processes that
    /// listen (docs/scaling-out.md). Off (the default), a second process on the same port fails to start, so
    /// a stale server cannot silently take a share of the traffic. Every process sharing the port must set
    /// it and run as the same user. Linux only.
    /// </summary>
    public bool ReusePort { get; set; }

    /// <summary><see cref="UdpReceivers"/> with 0 resolved to the processor count.</summary>
    internal int EffectiveUdpReceivers => UdpReceivers > 0 ? UdpReceivers : Environment.ProcessorCount;

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

    /// <summary>
    /// Networks that may send (CIDR, IPv4 or IPv6; a bare address is one host), for UDP, TCP and TLS.
    /// Datagrams from elsewhere are dropped before parsing, connections closed at accept; both counted
    /// in <c>fastingest_syslog_refused_total{reason="source"}</c>. Empty: anyone may send (a warning at
    /// start unless the listeners bind to loopback).
    /// </summary>
    public List<string> AllowedSources { get; set; } = [];

    /// <summary>
    /// Open TCP and TLS connections per remote address at most, beside <see cref="TcpMaxConnections"/>,
    /// so one address cannot take every slot. A relay keeps a few connections; NAT may put several hosts
    /// behind one address.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerAddress { get; set; } = 64;

    /// <summary>
    /// A TCP or TLS connection that has started a frame and not finished it within this time is closed,
    /// as is one that sends no complete frame this long after it connects, so a client trickling bytes
    /// cannot hold a connection slot. Between frames <see cref="TcpIdleTimeout"/> applies.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Syslog over TLS (RFC 5425: octet counting, as on <see cref="TcpPort"/>) on its own port; 0 (the
    /// default) turns it off. 6514 by convention. Needs <see cref="Tls"/>.
    /// </summary>
    [Range(0, 65535)]
    public int TlsPort { get; set; }

    /// <summary>The certificate of <see cref="TlsPort"/>.</summary>
    public SyslogTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Tags (tenants) whose NGINX sends lines in one of the operator's own formats, by tag:
    /// <c>FastIngest:Syslog:FormatByTag:shop = main</c> reads every message tagged <c>shop</c> with
    /// <c>FastIngest:Formats:main</c>. Other tags are read as NGINX JSON or combined, told per message.
    /// </summary>
    public IDictionary<string, string> FormatByTag { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The names under <c>FastIngest:Formats</c>, set at start (<c>LogFormatNamesSetup</c>) so <see cref="Validate"/> can check <see cref="FormatByTag"/>.</summary>
    internal IReadOnlyCollection<string> KnownFormats { get; set; } = [];

    /// <summary>Checks what data annotations cannot: each network parses, and TLS has a certificate.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        byte[] prefix = new byte[16];
        for (int i = 0; i < AllowedSources.Count; i++)
        {
            if (!SourceFence.TryParse(AllowedSources[i], prefix, out _))
            {
                yield return new ValidationResult(
                    $"AllowedSources:{i}: '{AllowedSources[i]}' is not an IPv4 or IPv6 network (e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7).",
                    [nameof(AllowedSources)]);
            }
        }

        foreach ((string tag, string format) in FormatByTag)
        {
            if (!NameRules.IsValid(Encoding.UTF8.GetBytes(tag)))
            {
                yield return new ValidationResult(
                    $"{SectionName}:FormatByTag:{tag} is not a valid tag: 1-{NameRules.MaxLength} characters of [A-Za-z0-9_.-]", [nameof(FormatByTag)]);
            }
            else if (!KnownFormats.Contains(format, StringComparer.OrdinalIgnoreCase))
            {
                yield return new ValidationResult(
                    $"{SectionName}:FormatByTag:{tag}: no format '{format}' under FastIngest:Formats", [nameof(FormatByTag)]);
            }
        }

        if (ReusePort && !OperatingSystem.IsLinux())
        {
            // Other systems have SO_REUSEPORT with other meanings (BSD: the last bind takes the port; Windows has
            // none): refuse rather than run one process that silently gets everything or nothing.
            yield return new ValidationResult(
                $"{SectionName}:ReusePort needs Linux (SO_REUSEPORT spreading datagrams and connections over processes); this is {System.Runtime.InteropServices.RuntimeInformation.OSDescription}.",
                [nameof(ReusePort)]);
        }

        if (TlsPort != 0)
        {
            foreach (string problem in Tls.Problems())
            {
                yield return new ValidationResult(problem, [nameof(Tls)]);
            }
        }
    }
}
