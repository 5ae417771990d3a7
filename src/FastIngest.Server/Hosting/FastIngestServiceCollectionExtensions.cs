using System.Net;
using System.Threading.RateLimiting;
using FastIngest.Core.Aggregation;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Core.Sinks.Spool;
using FastIngest.Server.Events;
using FastIngest.Server.Http;
using FastIngest.Server.Operations;
using FastIngest.Server.Pixel;
using FastIngest.Server.Reading;
using FastIngest.Server.Syslog;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Hosting;

/// <summary>The host's wiring: options, the sink, the pipeline and the sources.</summary>
internal static class FastIngestServiceCollectionExtensions
{
    public static WebApplicationBuilder AddFastIngest(this WebApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.AddOptions<AggregationOptions>().BindConfiguration(AggregationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ClickHouseOptions>().BindConfiguration(ClickHouseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SpoolOptions>().BindConfiguration(SpoolOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SyslogOptions>().BindConfiguration(SyslogOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HttpOptions>().BindConfiguration(HttpOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PixelOptions>().BindConfiguration(PixelOptions.SectionName);
        services.AddSingleton(sp => new TenantAllowList(sp.GetRequiredService<IOptions<PixelOptions>>().Value.AllowedTenants));
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<EventsOptions>().BindConfiguration(EventsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new TenantKeys(
            builder.Configuration.GetSection("FastIngest:Tenants").Get<Dictionary<string, TenantSettings>>() ?? []));
        services.AddSingleton(sp =>
        {
            EventsOptions events = sp.GetRequiredService<IOptions<EventsOptions>>().Value;
            return new IdempotencyStore(
                Path.GetFullPath(events.StateDirectory), events.IdempotencyRetention,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<IdempotencyStore>>());
        });
        services.AddSingleton<ClickHouseQueries>();
        services.AddOperations();
        services.AddSingleton<EventApi>();
        EventsOptions eventOptions = builder.Configuration.GetSection(EventsOptions.SectionName).Get<EventsOptions>() ?? new EventsOptions();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = static (rejected, cancellationToken) =>
            {
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                rejected.HttpContext.Response.ContentType = "application/json";
                return new ValueTask(rejected.HttpContext.Response.WriteAsync("{\"error\":\"Too many requests\"}", cancellationToken));
            };
            limiter.AddPolicy(EventApi.RateLimitPolicy, context =>
            {
                if (eventOptions.RequestsPerSecond == 0)
                {
                    return RateLimitPartition.GetNoLimiter("off");
                }

                // Per API key; per client address when the API is open. The key is the partition's name
                // only in memory, never logged.
                string partition = TenantKeys.KeyOf(context.Request) is { } key ? "key:" + key : "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = eventOptions.Burst,
                    TokensPerPeriod = eventOptions.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
        });

        // The pipeline and the sink share the pool of flush batches; the sink is created first.
        services.AddSingleton(sp => new IngestPipelineParts(sp.GetRequiredService<IOptions<AggregationOptions>>().Value));
        services.AddSingleton(sp => DiskSpool.Open(
            sp.GetRequiredService<IOptions<SpoolOptions>>().Value.WithDirectoryUnder(sp.GetRequiredService<IOptions<EventsOptions>>().Value.StateDirectory, "spool"),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<DiskSpool>()));
        services.AddSingleton(sp => new ClickHouseSink(
            sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value,
            sp.GetRequiredService<DiskSpool>(),
            sp.GetRequiredService<IngestPipelineParts>().FlushBatches,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<ClickHouseSink>()));
        services.AddSingleton(sp => new IngestPipeline(
            sp.GetRequiredService<IOptions<AggregationOptions>>().Value,
            sp.GetRequiredService<ClickHouseSink>(),
            sp.GetRequiredService<IngestPipelineParts>().FlushBatches,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<IngestPipeline>(),
            sp.GetRequiredService<TenantAllowList>()));

        services.AddSingleton<UdpSyslogReceiver>();
        services.AddSingleton<IIngestSource>(sp => sp.GetRequiredService<UdpSyslogReceiver>());
        services.AddSingleton<HttpIngestSource>();
        services.AddSingleton<IIngestSource>(sp => sp.GetRequiredService<HttpIngestSource>());
        services.AddSingleton<TrackingPixel>();
        services.AddSingleton<TcpSyslogConnectionHandler>();
        services.AddOptions<Files.FileSourceOptions>().BindConfiguration(Files.FileSourceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Files.FileTailSource>();
        services.AddSingleton<IIngestSource>(sp => sp.GetRequiredService<Files.FileTailSource>());
        services.AddHostedService<IngestHostedService>();

        HttpOptions http = builder.Configuration.GetSection(HttpOptions.SectionName).Get<HttpOptions>() ?? new HttpOptions();
        SyslogOptions syslog = builder.Configuration.GetSection(SyslogOptions.SectionName).Get<SyslogOptions>() ?? new SyslogOptions();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = http.ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (http.Port > 0)
            {
                kestrel.Listen(IPAddress.Parse(http.BindAddress), http.Port);
            }

            if (syslog.TcpPort > 0)
            {
                kestrel.Listen(IPAddress.Parse(syslog.BindAddress), syslog.TcpPort, listen => listen.UseConnectionHandler<TcpSyslogConnectionHandler>());
                // A TCP frame must fit in what Kestrel buffers before pausing the socket (1 MiB by default).
                kestrel.Limits.MaxRequestBufferSize = Math.Max(kestrel.Limits.MaxRequestBufferSize ?? 0, 2L * syslog.MaxMessageBytes);
            }
        });
        return builder;
    }

    /// <summary>Objects shared by the pipeline and the sink, made before either.</summary>
    private sealed class IngestPipelineParts(AggregationOptions options)
    {
        public Core.Internal.ObjectPool<FlushBatch> FlushBatches { get; } = new(maxRetained: Math.Max(64, options.EffectiveShards * 4));
    }
}
