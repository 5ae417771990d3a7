using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Retention;
using FastIngest.Core.Sinks.ClickHouse;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Operations;

/// <summary>
/// Runs <see cref="RetentionEnforcer"/> at start (registered after the ingest service, whose start applies
/// the schema, so the tables are there) and then every <see cref="RetentionOptions.Interval"/>. A failed
/// pass (ClickHouse away) is logged and tried again within a minute, never ending the loop.
/// </summary>
internal sealed class RetentionService : BackgroundService
{
    /// <summary>Longest wait after a failed pass: the schema's TTLs should not wait an hour for ClickHouse to return.</summary>
    private static readonly TimeSpan s_retryAfterFailure = TimeSpan.FromMinutes(1);

    private readonly ClickHouseClient _client;
    private readonly RetentionOptions _options;
    private readonly ILogger<RetentionService> _logger;
    private long _failures;
    private long _runs;

    public RetentionService(IOptions<ClickHouseOptions> clickHouse, IOptions<RetentionOptions> options, ShardedClickHouseSink sink, TimeProvider time, ILogger<RetentionService> logger)
    {
        _options = options.Value;
        _logger = logger;
        _client = ClickHouseClients.CreateClient(clickHouse.Value);
        Enforcer = new RetentionEnforcer(_client, clickHouse.Value.Database, new RetentionRule(_options.Days), () => OldestUnconfirmed(sink), time, logger);
    }

    public RetentionEnforcer Enforcer { get; }

    /// <summary>Passes that failed (<c>fastingest_retention_failures_total</c>).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Passes run to their end.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// The time of the oldest round that may still be sent again: the spool's oldest record, or the oldest
    /// file in its quarantine (a <c>spool retry</c> sends it later, under the ledger's check too).
    /// </summary>
    internal static DateTimeOffset? OldestUnconfirmed(ShardedClickHouseSink sink)
    {
        DateTimeOffset? oldest = null;
        foreach (ClickHouseSink shard in sink.Shards)
        {
            if (shard.Spool.Oldest is { } spooled && (oldest is null || spooled < oldest))
            {
                oldest = spooled;
            }

            foreach (QuarantinedRound round in shard.Quarantine.List())
            {
                DateTimeOffset written = File.GetLastWriteTimeUtc(round.RoundPath);
                if (oldest is null || written < oldest)
                {
                    oldest = written;
                }
            }
        }

        return oldest;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan delay = _options.Interval;
                try
                {
                    await Enforcer.RunAsync(stoppingToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _runs);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _failures);
                    delay = delay < s_retryAfterFailure ? delay : s_retryAfterFailure;
                    RetentionLog.RunFailed(_logger, ex, delay);
                }

                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
