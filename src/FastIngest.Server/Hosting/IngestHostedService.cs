using FastIngest.Core.Aggregation;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Infrastructure;
using FastIngest.Server.Syslog;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Hosting;

/// <summary>
/// Starts the sink, the shards and the sources in that order, and stops them in reverse, so a stop
/// loses nothing: sources hand over what they hold, shards drain and flush, the sink writes it all.
/// </summary>
/// <remarks>
/// Registered before Kestrel's own hosted service, so the host stops Kestrel (HTTP and TCP sources)
/// first and this last. The host's shutdown timeout bounds how long the sink may retry at the end.
/// </remarks>
internal sealed partial class IngestHostedService(
    ShardedClickHouseSink sink,
    IngestPipeline pipeline,
    IEnumerable<IIngestSource> sources,
    IOptions<SyslogOptions> syslog,
    ILogger<IngestHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await sink.StartAsync(cancellationToken).ConfigureAwait(false);
        pipeline.Start();
        foreach (IIngestSource source in sources)
        {
            source.Start();
        }

        Log.Started(logger, pipeline.ShardCount);
        if (syslog.Value.TcpPort > 0)
        {
            // Kestrel lists this endpoint as "http://…:5514" too; it is syslog, not HTTP.
            Log.TcpSyslogListening(logger, syslog.Value.BindAddress, syslog.Value.TcpPort);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (IIngestSource source in sources)
        {
            await source.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        await pipeline.StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        await sink.StopAsync(cancellationToken).ConfigureAwait(false);

        long counted = 0, hits = 0, events = 0;
        foreach (Shard shard in pipeline.Shards)
        {
            counted += shard.LinesCounted;
            hits += shard.PixelHits;
            events += shard.EventsCounted;
        }

        long unwritten = counted - sink.LinesWritten + hits - sink.PixelHitsWritten + events - sink.EventsWritten;
        if (sink.RoundsDropped > 0)
        {
            Log.StoppedWithDropped(logger, sink.DroppedByTenant.Values.Sum());
        }
        else if (unwritten > 0)
        {
            Log.StoppedWithSpooled(logger, counted, hits, events, unwritten, sink.SpoolDirectory);
        }
        else
        {
            Log.Stopped(logger, counted, hits, events);
        }
    }

    private static partial class Log
    {
        // Hosting owns EventIds 1-99; next free: 6.
        [LoggerMessage(1, LogLevel.Information, "FastIngest started with {Shards} shards")]
        public static partial void Started(ILogger logger, int shards);

        [LoggerMessage(4, LogLevel.Information, "TCP syslog (RFC 6587) listening on {Address}:{Port}")]
        public static partial void TcpSyslogListening(ILogger logger, string address, int port);

        [LoggerMessage(2, LogLevel.Information, "FastIngest stopped; {Lines} lines, {PixelHits} pixel hits and {Events} events counted and written")]
        public static partial void Stopped(ILogger logger, long lines, long pixelHits, long events);

        [LoggerMessage(3, LogLevel.Error, "FastIngest stopped having dropped {Count} counted lines, hits and events: ClickHouse could not take them and the spool was full or its disk refused writes")]
        public static partial void StoppedWithDropped(ILogger logger, long count);

        [LoggerMessage(5, LogLevel.Warning, "FastIngest stopped; {Lines} lines, {PixelHits} pixel hits and {Events} events counted, {Count} of them wait in the spool {Directory} for the next start")]
        public static partial void StoppedWithSpooled(ILogger logger, long lines, long pixelHits, long events, long count, string directory);
    }
}
