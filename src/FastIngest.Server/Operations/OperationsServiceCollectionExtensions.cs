using FastIngest.Core.Aggregation;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Pixel;
using FastIngest.Server.Syslog;

namespace FastIngest.Server.Operations;

/// <summary>The operator's view: health checks, <c>/health</c> sections and the instruments <c>/metrics</c> exports.</summary>
internal static class OperationsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the health check, the exporter, and each component's <see cref="IHealthSection"/> and
    /// <see cref="IMetricsPublisher"/>. Sections and instruments appear in registration order (the
    /// <c>/health</c> body's order: clickhouse, spool, udp, tcp, pixel, shards; <c>/metrics</c>: syslog,
    /// pixel, shards, sink, runtime).
    /// </summary>
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ClickHouseHealthCheck>("clickhouse");
        services.AddMetrics();
        services.AddSingleton<PrometheusExporter>();
        services.AddHostedService(sp => sp.GetRequiredService<PrometheusExporter>());

        // Each component's sections and instruments, listed in one place because their order here is the
        // order of the /health body and of /metrics, which operators and their dashboards read.
        services.AddSingleton<IHealthSection, ClickHouseHealthSection>();
        services.AddSingleton<IHealthSection, SyslogHealthSection>();
        services.AddSingleton<IHealthSection, PixelHealthSection>();
        services.AddSingleton<IHealthSection, ShardHealthSection>();
        services.AddSingleton<IMetricsPublisher, SyslogMetrics>();
        services.AddSingleton<IMetricsPublisher, PixelMetrics>();
        services.AddSingleton<IMetricsPublisher, ShardMetrics>();
        services.AddSingleton<IMetricsPublisher, SinkMetrics>();
        services.AddSingleton<IMetricsPublisher, RuntimeMetrics>();
        return services;
    }
}
