using FastIngest.Core.Internal;
using FastIngest.Server.Infrastructure;

namespace FastIngest.Server.Operations;

/// <summary>The operator's view: health checks, <c>/health</c> sections and the instruments <c>/metrics</c> exports.</summary>
internal static class OperationsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the health check, the meter factory and the exporter. The components' own
    /// <see cref="IHealthSection"/>s and <see cref="IMetricsPublisher"/>s are registered by the composition
    /// root, in the order the <c>/health</c> body and <c>/metrics</c> list them.
    /// </summary>
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ClickHouseHealthCheck>("clickhouse");
        // Started before Kestrel listens (hosted services run in registration order): its first ping is
        // the first /health's answer.
        services.AddSingleton<ClickHouseReachability>();
        services.AddHostedService(sp => sp.GetRequiredService<ClickHouseReachability>());
        services.AddMetrics();
        services.AddSingleton<PrometheusExporter>();
        services.AddHostedService(sp => sp.GetRequiredService<PrometheusExporter>());
        return services;
    }
}
