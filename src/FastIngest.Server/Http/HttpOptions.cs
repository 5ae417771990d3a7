using System.ComponentModel.DataAnnotations;
using FastIngest.Server.Infrastructure;

namespace FastIngest.Server.Http;

/// <summary>Configuration section <c>FastIngest:Http</c>: the Kestrel HTTP listener.</summary>
public sealed class HttpOptions
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
}
