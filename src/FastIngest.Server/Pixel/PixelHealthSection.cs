using System.Text.Json;
using FastIngest.Server.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FastIngest.Server.Pixel;

/// <summary><c>pixel</c> of the <c>/health</c> body.</summary>
internal sealed class PixelHealthSection(PixelCounter pixel) : IHealthSection
{
    public void Write(Utf8JsonWriter json, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject("pixel");
        json.WriteNumber("hits", pixel.Hits);
        json.WriteNumber("rejected", pixel.Rejected);
        json.WriteEndObject();
    }
}
