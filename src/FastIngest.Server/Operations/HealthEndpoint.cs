using System.Text;
using System.Text.Json;
using FastIngest.Server.Infrastructure;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FastIngest.Server.Operations;

/// <summary>
/// <c>GET /health</c>, ASP.NET Core health checks (<see cref="ClickHouseHealthCheck"/>): 200 while healthy
/// or degraded, 503 when unhealthy. The body adds what an operator looks at next, one
/// <see cref="IHealthSection"/> per component: ClickHouse's reachability and backlog, the spool, each
/// source's counters and each shard's queue depth. Every answer comes from state the components keep:
/// no call reaches ClickHouse (<see cref="ClickHouseReachability"/>).
/// </summary>
internal static class HealthEndpoint
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteAsync });
        return endpoints;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        // With a management port or key configured, the public answer is the status alone: the details
        // name the spool's directory, tenants' counters and the sink's state (ManagementOptions).
        bool details = context.RequestServices.GetRequiredService<ManagementAccess>().Allows(context);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString().ToLowerInvariant());
            if (details)
            {
                foreach (IHealthSection section in context.RequestServices.GetServices<IHealthSection>())
                {
                    section.Write(json, report);
                }
            }

            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
