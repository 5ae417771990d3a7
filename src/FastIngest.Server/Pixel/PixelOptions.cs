using System.ComponentModel.DataAnnotations;
using FastIngest.Core.Parsing;

namespace FastIngest.Server.Pixel;

/// <summary>Configuration section <c>FastIngest:Pixel</c>: the tracking pixel at <c>/p/{tenant}/{key}.gif</c>.</summary>
public sealed class PixelOptions : IValidatableObject
{
    public const string SectionName = "FastIngest:Pixel";

    /// <summary>
    /// Tenants a pixel may name. Empty (the default): any valid name, which suits one operator's own
    /// sites; list them when the pixel is public, or anyone can invent tenants.
    /// </summary>
    public IList<string> AllowedTenants { get; } = [];

    /// <summary>
    /// The pixel's own port (0: none), served by <see cref="PixelConnectionHandler"/> straight on the
    /// connection: pages embed <c>http://host:8081/p/{tenant}/{key}.gif</c> (or that port behind a proxy or
    /// load balancer). The pixel on the API port (<see cref="Http.HttpOptions.Port"/>) keeps working for
    /// pages that already embed it; it costs more CPU per request (bench/README.md, "Pixel port").
    /// </summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8081;

    /// <summary>The longest request head (request line and headers) the pixel port reads; longer: 431 and the connection closed.</summary>
    [Range(256, 1024 * 1024)]
    public int MaxRequestHeadBytes { get; set; } = 8 * 1024;

    /// <summary>The most header lines a pixel port request may have; more: 431 and the connection closed.</summary>
    [Range(1, 1000)]
    public int MaxRequestHeaders { get; set; } = 64;

    /// <summary>How long the pixel port keeps an idle keep-alive connection (Kestrel's default for HTTP).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>
    /// Serve the pixel from endpoint routing instead of the terminal middleware; only for measuring the
    /// two (bench/README.md). Both behave the same.
    /// </summary>
    public bool UseEndpointRouting { get; set; }

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        TenantNameList.Validate(AllowedTenants, $"{SectionName}:AllowedTenants", nameof(AllowedTenants));
}
