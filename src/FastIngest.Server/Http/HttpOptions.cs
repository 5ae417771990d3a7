using System.ComponentModel.DataAnnotations;
using FastIngest.Server.Infrastructure;

namespace FastIngest.Server.Http;

/// <summary>Configuration section <c>FastIngest:Http</c>: the Kestrel HTTP listener.</summary>
public sealed class HttpOptions : IValidatableObject
{
    public const string SectionName = "FastIngest:Http";

    [Required]
    [IPAddress]
    public string BindAddress { get; set; } = "0.0.0.0";

    [Range(0, 65535)]
    public int Port { get; set; } = 8080;

    /// <summary>How long a stop may take to drain and write everything before the host gives up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Inline scheduling of every socket of the process (the HTTP, pixel and TCP syslog listeners and the
    /// ClickHouse client): their completions run on the socket engine's threads, not handed to the thread
    /// pool. On by default; read once, before the host starts (<see cref="Hosting.InlineScheduling"/>).
    /// </summary>
    public bool InlineScheduling { get; set; } = true;

    /// <summary>
    /// Addresses or CIDR blocks of the reverse proxies in front of the server. Only a request from one of
    /// them has its <c>X-Forwarded-For</c> read (<see cref="ClientAddresses"/>); none (the default): the
    /// client address is the TCP peer.
    /// </summary>
    public IList<string> KnownProxies { get; } = [];

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (int i = 0; i < KnownProxies.Count; i++)
        {
            if (!ClientAddresses.TryParseNetwork(KnownProxies[i], out _))
            {
                yield return new ValidationResult(
                    $"{SectionName}:KnownProxies:{i} is not an IP address or a CIDR block (e.g. 10.0.0.0/8): '{KnownProxies[i]}'", [nameof(KnownProxies)]);
            }
        }
    }
}
