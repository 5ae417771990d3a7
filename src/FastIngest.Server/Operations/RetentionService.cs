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

    private readonly List<ClickHouseClient> _clients = [];
    private readonly List<RetentionEnforcer> _enforcers = [];
    private readonly RetentionOptions _options;
    private readonly ILogger<RetentionService> _logger;
    private long _failures;
    private long _runs;

    public RetentionService(IOptions<ClickHouseOptions> clickHouse, IOptions<RetentionOptions> options, ShardedClickHouseSink sink, TimeProvider time, ILogger<RetentionService> logger)
    {
        _options = options.Value;
        _logger = logger;
        ClickHouseOptions server = clickHouse.Value;
        var rule = new RetentionRule(_options.Days);
        if (server.Shards.Count == 0)
        {
            ClickHouseClient client = ClickHouseClients.CreateClient(server);
            _clients.Add(client);
            _enforcers.Add(new RetentionEnforcer(client, server.Database, rule, () => OldestUnconfirmed(sink), time, logger));
        }
        else
        {
            // A cluster (issue 19): Database holds Distributed tables, which have no partitions or TTL of their
            // own; each shard's local tables do. One pass per shard, through its replicas' failover: an ALTER on
            // a Replicated table reaches its other replicas by itself. The oldest unconfirmed round of any shard
            // holds every shard's ledger back, which only keeps more.
            foreach (ClickHouseShardOptions shard in server.Shards)
            {
                ClickHouseClient client = ClickHouseClients.CreateClient(server.ForShard(shard), shard.Replicas);
                _clients.Add(client);
                _enforcers.Add(new RetentionEnforcer(client, server.LocalDatabase, rule, () => OldestUnconfirmed(sink), time, logger));
            }
        }
    }

    /// <summary>One per server of a single-server setup, one per shard of a cluster.</summary>
    public IReadOnlyList<RetentionEnforcer> Enforcers => _enforcers;

    /// <summary>Partitions dropped per table, summed over the shards.</summary>
    public IReadOnlyDictionary<string, long> PartitionsDropped => Sum(static e => e.PartitionsDropped);

    /// <summary>Rows dropped per table, summed over the shards.</summary>
    public IReadOnlyDictionary<string, long> RowsDropped => Sum(static e => e.RowsDropped);

    /// <summary>TTLs set or removed, over the shards.</summary>
    public long TtlChanges => _enforcers.Sum(static e => e.TtlChanges);

    /// <summary>Passes that failed (<c>fastingest_retention_failures_total</c>).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Passes run to their end.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    public override void Dispose()
    {
        foreach (ClickHouseClient client in _clients)
        {
            client.Dispose();
        }

        base.Dispose();
    }

    private Dictionary<string, long> Sum(Func<RetentionEnforcer, IReadOnlyDictionary<string, long>> counts)
    {
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (RetentionEnforcer enforcer in _enforcers)
        {
            foreach ((string table, long count) in counts(enforcer))
            {
                sums[table] = sums.GetValueOrDefault(table) + count;
            }
        }

        return sums;
    }

    /// <summary>
    /// The time of the oldest round that may still be sent again: the spool's oldest record, or the oldest
    /// file in its quarantine (a <c>spool retry</c> sends it later, under the ledger's check too).
    /// </summary>
    internal static DateTimeOffset? OldestUnconfirmed(ShardedClickHouseSink sink)
    {
        DateTimeOffset? oldest = sink.OldestSpooled;
        foreach (ClickHouseSink shard in sink.Shards)
        {
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
                    foreach (RetentionEnforcer enforcer in _enforcers)
                    {
                        await enforcer.RunAsync(stoppingToken).ConfigureAwait(false);
                    }
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
