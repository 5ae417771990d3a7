using System.Text;

namespace FastIngest.Server.Operations;

/// <summary>
/// <c>GET /metrics</c>: what the components published on the FastIngest meter, in the Prometheus text
/// format. It names tenants, so with a management port or key configured it answers only there (401
/// without the key, 404 on the public port when only a port is configured).
/// </summary>
internal static class MetricsEndpoint
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", (HttpContext context, PrometheusExporter exporter, ManagementAccess access) =>
        {
            if (!access.Allows(context))
            {
                if (!access.HasKey)
                {
                    return Results.NotFound();
                }

                context.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Text("""{"error":"Missing or invalid management key"}""", "application/json", Encoding.UTF8, StatusCodes.Status401Unauthorized);
            }

            return Results.Text(exporter.Scrape(), "text/plain; version=0.0.4", Encoding.UTF8);
        });
        return endpoints;
    }
}
