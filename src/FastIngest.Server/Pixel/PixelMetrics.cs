using System.Diagnostics.Metrics;
using FastIngest.Core.Internal;

namespace FastIngest.Server.Pixel;

/// <summary>The tracking pixel's numbers: requests served and refused.</summary>
internal sealed class PixelMetrics(PixelCounter pixel) : IMetricsPublisher
{
    public void Publish(Meter meter)
    {
        meter.CreateObservableCounter("fastingest_pixel_requests_total", () => pixel.Hits, description: "Pixel requests served.");
        meter.CreateObservableCounter("fastingest_pixel_rejected_total", () => pixel.Rejected, description: "Pixel requests refused (bad or unknown names).");
    }
}
