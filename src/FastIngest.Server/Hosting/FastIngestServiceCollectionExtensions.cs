using FastIngest.Core.Aggregation;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing.Formats;
using FastIngest.Core.Retention;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Core.Sinks.Spool;
using FastIngest.Server.Events;
using FastIngest.Server.Files;
using FastIngest.Server.Formats;
using FastIngest.Server.Http;
using FastIngest.Server.Infrastructure;
using FastIngest.Server.Operations;
using FastIngest.Server.Pixel;
using FastIngest.Server.Reading;
using FastIngest.Server.Syslog;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Hosting;

/// <summary>
/// The one composition root. <see cref="AddFastIngestCore"/> is what the server and the <c>import</c>
/// command share (options, the spool, the sink, the pipeline); <see cref="AddFastIngest"/> adds the
/// server's sources, listeners, rate limiter and health checks on top.
/// </summary>
internal static class FastIngestServiceCollectionExtensions
{
    /// <summary>
    /// Options (each bound once, validated at start), the clock, logging, the spool in
    /// <paramref name="spoolFolder"/> under the state directory, the ClickHouse sink and the pipeline.
    /// </summary>
    /// <param name="spoolFolder">
    /// <c>spool</c> for the server, <c>spool-import</c> for the import command, so an import can run
    /// beside the server (one process per spool).
    /// </param>
    /// <param name="anyAge">
    /// The import command counts history of any age; the server's live doors only request times within
    /// <c>Aggregation:MaxLateness</c>/<c>MaxAhead</c> of arrival. A pipeline setting rather than a source of
    /// its own, because import and the file tail both store <c>file</c> in <c>ingest_errors.source</c>.
    /// </param>
    public static IServiceCollection AddFastIngestCore(this IServiceCollection services, IConfiguration configuration, string spoolFolder, bool anyAge = false)
    {
        services.TryAddSingleton(configuration);
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);

        services.AddValidatedOptions<StateOptions>(StateOptions.SectionName);
        services.AddSingleton<IPostConfigureOptions<StateOptions>, StateOptionsSetup>();
        services.AddSingleton<IValidateOptions<StateOptions>, StateOptionsValidator>();
        services.AddValidatedOptions<AggregationOptions>(AggregationOptions.SectionName);
        services.AddSingleton<IPostConfigureOptions<AggregationOptions>, UserHashSecretSetup>();
        services.AddValidatedOptions<RawRowsOptions>(RawRowsOptions.SectionName);
        services.AddValidatedOptions<TenantMetricsOptions>(TenantMetricsOptions.SectionName);
        services.AddValidatedOptions<ReferrerOptions>(ReferrerOptions.SectionName);
        services.AddValidatedOptions<ClickHouseOptions>(ClickHouseOptions.SectionName);
        services.AddValidatedOptions<SpoolOptions>(SpoolOptions.SectionName);
        // The pixel's allowed tenants are the shards' policy, so the pipeline needs them wherever it runs.
        services.AddValidatedOptions<PixelOptions>(PixelOptions.SectionName);
        // The operator's log formats are compiled once here (validation compiled them too, at start).
        services.AddValidatedOptions<LogFormatOptions>(LogFormatOptions.SectionName);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<LogFormatOptions>>().Value.Compile());
        services.AddSingleton(sp => new TenantAllowList(sp.GetRequiredService<IOptions<PixelOptions>>().Value.AllowedTenants));

        // The pipeline and the sink share the pool of flush batches; the sink is created first.
        services.AddSingleton(sp => new IngestPipelineParts(sp.GetRequiredService<IOptions<AggregationOptions>>().Value));
        services.AddSingleton(sp => DiskSpool.Open(
            sp.GetRequiredService<IOptions<SpoolOptions>>().Value.WithDirectoryUnder(sp.GetRequiredService<IOptions<StateOptions>>().Value.FullPath, spoolFolder),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<DiskSpool>()));
        services.AddSingleton(sp => CreateSink(sp, spoolFolder));
        // The single server's sink (a cluster's shard 0): what the sink's own tests look at.
        services.AddSingleton(sp => sp.GetRequiredService<ShardedClickHouseSink>().Shards[0]);
        services.AddSingleton(sp => new IngestPipeline(
            sp.GetRequiredService<IOptions<AggregationOptions>>().Value,
            sp.GetRequiredService<ShardedClickHouseSink>(),
            sp.GetRequiredService<IngestPipelineParts>().FlushBatches,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<IngestPipeline>(),
            sp.GetRequiredService<TenantAllowList>(),
            anyAge,
            sp.GetRequiredService<KnownTenants>(),
            rawRows: sp.GetRequiredService<IOptions<RawRowsOptions>>().Value,
            formats: sp.GetRequiredService<LogFormats>(),
            tenantMetrics: sp.GetRequiredService<IOptions<TenantMetricsOptions>>().Value,
            referrers: sp.GetRequiredService<IOptions<ReferrerOptions>>().Value));
        services.AddSingleton(sp => new KnownTenants(ConfiguredTenants(sp)));
        return services;
    }

    /// <summary>
    /// The sink: the one server at <c>ClickHouse:Url</c> with the spool in <paramref name="spoolFolder"/>, as
    /// always; or, with <c>ClickHouse:Shards</c> (issue 19), a sink per shard, each spooling in
    /// <c>shard-&lt;i&gt;</c> under that folder.
    /// </summary>
    private static ShardedClickHouseSink CreateSink(IServiceProvider sp, string spoolFolder)
    {
        ClickHouseOptions clickHouse = sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value;
        ObjectPool<FlushBatch> batches = sp.GetRequiredService<IngestPipelineParts>().FlushBatches;
        ILoggerFactory loggers = sp.GetRequiredService<ILoggerFactory>();
        SpoolOptions spool = sp.GetRequiredService<IOptions<SpoolOptions>>().Value
            .WithDirectoryUnder(sp.GetRequiredService<IOptions<StateOptions>>().Value.FullPath, spoolFolder);
        SpoolLayout.RefuseOrphanedRounds(spool.Directory, clickHouse.Shards.Count);
        if (clickHouse.Shards.Count == 0)
        {
            return new ShardedClickHouseSink(
                [new ClickHouseSink(clickHouse, sp.GetRequiredService<DiskSpool>(), batches, loggers.CreateLogger<ClickHouseSink>())], batches);
        }

        return ShardedClickHouseSink.ForCluster(clickHouse, spool, batches, loggers);
    }

    /// <summary>
    /// Every tenant the operator named (issue 13: always admitted, never forgotten): <c>Aggregation:KnownTenants</c>,
    /// <c>FastIngest:Tenants</c>, the pixel's allowed tenants, the file sources' fixed tenants and the
    /// tenants opted in to raw rows or to their own metrics, and those listing their own referrer hosts. The
    /// sections the import command does not register resolve to their empty defaults.
    /// </summary>
    private static IEnumerable<string> ConfiguredTenants(IServiceProvider sp)
    {
        foreach (string tenant in sp.GetRequiredService<IOptions<AggregationOptions>>().Value.KnownTenants)
        {
            yield return tenant;
        }

        foreach (string tenant in sp.GetRequiredService<IOptions<TenantsOptions>>().Value.Tenants.Keys)
        {
            yield return tenant;
        }

        foreach (string tenant in sp.GetRequiredService<IOptions<PixelOptions>>().Value.AllowedTenants)
        {
            yield return tenant;
        }

        foreach (string tenant in sp.GetRequiredService<IOptions<RawRowsOptions>>().Value.Tenants)
        {
            yield return tenant;
        }

        foreach (string tenant in sp.GetRequiredService<IOptions<TenantMetricsOptions>>().Value.TenantLabels)
        {
            yield return tenant;
        }

        foreach (string tenant in sp.GetRequiredService<IOptions<ReferrerOptions>>().Value.OwnHosts.Keys)
        {
            yield return tenant;
        }

        foreach (TailedFile file in sp.GetRequiredService<IOptions<FileSourceOptions>>().Value.Sources)
        {
            if (file.Tenant.Length > 0)
            {
                yield return file.Tenant;
            }
        }
    }

    /// <summary>The server: <see cref="AddFastIngestCore"/>, then the sources, Kestrel's listeners, the events API's rate limit and health checks.</summary>
    public static WebApplicationBuilder AddFastIngest(this WebApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = InlineScheduling.Enabled);
        services.AddFastIngestCore(builder.Configuration, "spool");
        services.AddValidatedOptions<SyslogOptions>(SyslogOptions.SectionName);
        // Syslog:ReusePort: SO_REUSEPORT on the TCP and TLS syslog listening sockets (Kestrel binds them).
        services.AddSingleton<IConfigureOptions<SocketTransportOptions>, SyslogListenSocketSetup>();
        services.AddSingleton<IPostConfigureOptions<SyslogOptions>, LogFormatNamesSetup>();
        services.AddSingleton<IPostConfigureOptions<FileSourceOptions>, LogFormatNamesSetup>();
        services.AddSingleton(sp => new SyslogFormats(
            new Dictionary<string, string>(sp.GetRequiredService<IOptions<SyslogOptions>>().Value.FormatByTag), sp.GetRequiredService<LogFormats>()));
        services.AddValidatedOptions<HttpOptions>(HttpOptions.SectionName);
        services.AddValidatedOptions<EventsOptions>(EventsOptions.SectionName);
        services.AddValidatedOptions<TenantsOptions>(TenantsOptions.SectionName);
        services.AddValidatedOptions<FileSourceOptions>(FileSourceOptions.SectionName);
        services.AddValidatedOptions<ManagementOptions>(ManagementOptions.SectionName);
        services.AddValidatedOptions<RetentionOptions>(RetentionOptions.SectionName);

        services.AddSingleton(sp => new TenantKeys(sp.GetRequiredService<IOptions<TenantsOptions>>().Value.Tenants));
        services.AddSingleton<ClientAddresses>();
        services.AddSingleton<ApiRefusals>();
        services.AddSingleton(sp =>
        {
            EventsOptions events = sp.GetRequiredService<IOptions<EventsOptions>>().Value;
            return new IngestLimits(events.IngestBytesPerSecond, events.IngestBurstBytes, events.IngestConcurrency, events.MaxAddressPartitions, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<ManagementAccess>();
        services.AddSingleton(sp =>
        {
            EventsOptions events = sp.GetRequiredService<IOptions<EventsOptions>>().Value;
            return new IdempotencyStore(
                sp.GetRequiredService<IOptions<StateOptions>>().Value.FullPath, events.IdempotencyRetention,
                events.MaxIdempotencyKeys, events.MaxIdempotencyKeysPerScope,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<IdempotencyStore>>());
        });
        services.AddSingleton<DurabilityBarrier>();
        services.AddSingleton<ClickHouseQueries>();
        services.AddOperations();
        // What each component shows an operator, in the order /health and /metrics list it.
        services.AddSingleton<IHealthSection, ClickHouseHealthSection>();
        services.AddSingleton<IHealthSection, SyslogHealthSection>();
        services.AddSingleton<IHealthSection, PixelHealthSection>();
        services.AddSingleton<IHealthSection, ShardHealthSection>();
        services.AddSingleton<IMetricsPublisher, SyslogMetrics>();
        services.AddSingleton<IMetricsPublisher, PixelMetrics>();
        services.AddSingleton<IMetricsPublisher, ShardMetrics>();
        services.AddSingleton<IMetricsPublisher>(sp => new TenantMetrics(sp.GetRequiredService<IngestPipeline>(), sp.GetRequiredService<IOptions<TenantMetricsOptions>>().Value));
        services.AddSingleton<IMetricsPublisher, SinkMetrics>();
        services.AddSingleton<IMetricsPublisher, IdempotencyMetrics>();
        services.AddSingleton<IMetricsPublisher, ApiRefusalMetrics>();
        services.AddSingleton<IMetricsPublisher, ClickHouseReachabilityMetrics>();
        services.AddSingleton<IMetricsPublisher, FileTailMetrics>();
        services.AddSingleton<IMetricsPublisher, RetentionMetrics>();
        services.AddSingleton<IMetricsPublisher, RuntimeMetrics>();
        services.AddSingleton<EventApi>();
        services.AddRateLimiter(static _ => { });
        services.AddSingleton<IConfigureOptions<RateLimiterOptions>, EventRateLimiterSetup>();

        services.AddSingleton(sp => SourceFence.Create(sp.GetRequiredService<IOptions<SyslogOptions>>().Value, sp.GetRequiredService<ILogger<SourceFence>>()));
        services.AddSingleton<UdpSyslogReceiver>();
        services.AddSingleton<IIngestSource>(sp => sp.GetRequiredService<UdpSyslogReceiver>());
        services.AddSingleton<HttpIngestSource>();
        services.AddSingleton<IIngestSource>(sp => sp.GetRequiredService<HttpIngestSource>());
        services.AddSingleton<PixelCounter>();
        services.AddSingleton<TrackingPixel>();
        services.AddSingleton<PixelConnectionHandler>();
        services.AddSingleton<TcpSyslogAdmission>();
        services.AddSingleton<TcpSyslogConnectionHandler>();
        services.AddSingleton<FileTailSource>();
        services.AddSingleton<IIngestSource>(sp => sp.GetRequiredService<FileTailSource>());
        services.AddHostedService<IngestHostedService>();
        // After the ingest service: its start applies the schema, so retention's first pass finds the tables.
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());

        services.AddOptions<HostOptions>().Configure<IOptions<HttpOptions>>(static (host, http) => host.ShutdownTimeout = http.Value.ShutdownTimeout);
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelListenersSetup>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, ManagementListenerSetup>();
        return builder;
    }

    /// <summary>Binds <typeparamref name="T"/> from <paramref name="section"/> once; data annotations are checked at start.</summary>
    private static void AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
