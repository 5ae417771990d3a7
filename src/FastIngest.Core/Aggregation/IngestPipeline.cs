using FastIngest.Core.Ingest;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing.Formats;
using FastIngest.Core.Sinks;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// The shards and their workers. Sources get a <see cref="ShardedBatchWriter"/> each and never see a
/// shard; the sink gets flushed batches and never sees a source.
/// </summary>
/// <remarks>
/// Stop order matters for exactness: stop the sources (they flush their pending batches), then
/// <see cref="StopAsync"/> (channels complete, shards drain and flush), then stop the sink.
/// </remarks>
internal sealed class IngestPipeline : IShardChannels, IDisposable
{
    private readonly Shard[] _shards;
    private readonly TimeSpan _flushInterval;
    private readonly CancellationTokenSource _stopTicks = new();
    private Task[] _workers = [];
    private Task _ticks = Task.CompletedTask;

    /// <param name="anyAge">
    /// Count request times of any age (the <c>import</c> command's history); otherwise only those within
    /// <see cref="AggregationOptions.MaxLateness"/> and <see cref="AggregationOptions.MaxAhead"/> of arrival.
    /// </param>
    /// <param name="known">
    /// Configured tenants (the composition root gathers them): always admitted and never forgotten. The
    /// <c>import</c> command (<paramref name="anyAge"/>) admits every tenant without a rate limit.
    /// </param>
    /// <param name="formats">The operator's compiled log formats, which every shard's decoder reads custom lines with.</param>
    /// <param name="routingSeed">The tenant → shard hash's seed; <see cref="TenantRouting.ProcessSeed"/> unless a test sets it.</param>
    /// <param name="rawRows">Tenants opted in to <c>requests_raw</c>; null: none.</param>
    /// <param name="tenantMetrics">Tenants with their own <c>/metrics</c> series; null: none.</param>
    public IngestPipeline(AggregationOptions options, IBatchSink sink, ObjectPool<FlushBatch> flushBatches, ILogger logger, TenantAllowList? pixelTenants = null, bool anyAge = false,
        KnownTenants? known = null, long? routingSeed = null, RawRowsOptions? rawRows = null, LogFormats? formats = null, TenantMetricsOptions? tenantMetrics = null,
        ReferrerOptions? referrers = null)
    {
        RoutingSeed = routingSeed ?? TenantRouting.ProcessSeed;
        Formats = formats ?? LogFormats.None;
        known ??= new KnownTenants(options.KnownTenants);
        TimeWindow window = anyAge ? TimeWindow.Unbounded : TimeWindow.Live(options);
        FlushBatches = flushBatches;
        int shardCount = options.EffectiveShards;
        int tenantsPerShard = Math.Max(1, (options.MaxTenants + shardCount - 1) / shardCount);
        // Key names are shared by all tenants, and any shard may see any of them: each gets the whole cap.
        int pixelKeys = options.MaxPixelKeys;
        _flushInterval = options.FlushInterval;
        _shards = new Shard[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            TenantAdmission admission = anyAge
                ? TenantAdmission.Unlimited(tenantsPerShard)
                : new TenantAdmission(options.NewTenantsPerMinutePerDoor, options.NewTenantsPerMinutePerAddress, shardCount, tenantsPerShard);
            _shards[i] = new Shard(i, IngestBatches, flushBatches, sink, options, tenantsPerShard, pixelKeys, pixelTenants ?? TenantAllowList.Everyone, logger, window, known, admission, rawRows, Formats, tenantMetrics, referrers);
        }
    }

    /// <summary>The operator's compiled log formats; sources stamp a message with one's index (<see cref="LogFormats.TryIndexOf"/>).</summary>
    public LogFormats Formats { get; }

    /// <summary>Rented by the sources' writers, returned by the shards once counted.</summary>
    public ObjectPool<IngestBatch> IngestBatches { get; } = new();

    /// <summary>Shared with the sink, which returns each batch once written.</summary>
    public ObjectPool<FlushBatch> FlushBatches { get; }

    public IReadOnlyList<Shard> Shards => _shards;

    public int ShardCount => _shards.Length;

    /// <inheritdoc/>
    public long RoutingSeed { get; }

    public void Start()
    {
        _workers = new Task[_shards.Length];
        for (int i = 0; i < _shards.Length; i++)
        {
            Shard shard = _shards[i];
            _workers[i] = Task.Run(shard.RunAsync);
        }

        _ticks = Task.Run(TickAsync);
    }

    public ShardedBatchWriter CreateWriter(IngestSource source) => new(this, source);

    /// <summary>
    /// A writer that spreads its batches over every shard (<see cref="ShardedBatchWriter.SpreadsAcrossShards"/>):
    /// the <c>import</c> command's, so one tenant's file is parsed and counted on every core.
    /// </summary>
    public ShardedBatchWriter CreateSpreadingWriter(IngestSource source) => new(this, source, spread: true);

    /// <summary>
    /// Completes once everything handed to the shards before this call is in ClickHouse: each shard
    /// flushes when it reaches the barrier in its channel, and the sink completes it after writing.
    /// What a file source waits for before it saves a read position.
    /// </summary>
    public async Task BarrierAsync(CancellationToken cancellationToken)
    {
        var barriers = new Task[_shards.Length];
        for (int i = 0; i < _shards.Length; i++)
        {
            IngestBatch marker = IngestBatches.Rent();
            var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            marker.Barrier = barrier;
            barriers[i] = barrier.Task;
            await EnqueueAsync(i, marker, cancellationToken).ConfigureAwait(false);
        }

        await Task.WhenAll(barriers).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes every channel and waits until each shard has drained and flushed into the sink.</summary>
    public async Task StopAsync()
    {
        await _stopTicks.CancelAsync().ConfigureAwait(false);
        foreach (Shard shard in _shards)
        {
            shard.Writer.TryComplete();
        }

        await Task.WhenAll(_workers).ConfigureAwait(false);
        await _ticks.ConfigureAwait(false);
    }

    public void Dispose() => _stopTicks.Dispose();

    public bool TryEnqueue(int shard, IngestBatch batch) => _shards[shard].Writer.TryWrite(batch);

    public ValueTask EnqueueAsync(int shard, IngestBatch batch, CancellationToken cancellationToken)
        => _shards[shard].Writer.WriteAsync(batch, cancellationToken);

    private async Task TickAsync()
    {
        using PeriodicTimer timer = new(_flushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopTicks.Token).ConfigureAwait(false))
            {
                foreach (Shard shard in _shards)
                {
                    // Dropped when the channel is full; the shard is busy then and checks the clock itself.
                    shard.Writer.TryWrite(null);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
