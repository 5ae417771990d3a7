using System.Text;

namespace FastIngest.Server.Operations;

/// <summary><c>GET /metrics</c>: what the components published on the FastIngest meter, in the Prometheus text format.</summary>
internal static class MetricsEndpoint
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", (PrometheusExporter exporter) =>
            Results.Text(exporter.Scrape(), "text/plain; version=0.0.4", Encoding.UTF8));
        return endpoints;
    }
}
