using System.Threading.Channels;
using FastIngest.Core.Aggregation.Aggregates;
using FastIngest.Core.Ingest;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Formats;
using FastIngest.Core.Sinks;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// One worker and everything it owns: its tenants and their minute buckets. Only this shard's task
/// reads its channel and touches its state, so counting takes no locks. Buckets hold deltas: a flush
/// hands them to the sink and starts from zero, which SummingMergeTree adds up on the server.
/// </summary>
/// <remarks>
/// This file is the loop, the flush and the published counters; what an input counts into is in
/// <c>Shard.Counting.cs</c>, each aggregate in <c>Aggregates/</c>, decoding in <see cref="MessageDecoder"/>.
/// </remarks>
internal sealed partial class Shard
{
    private readonly Channel<IngestBatch?> _channel;
    private readonly ObjectPool<IngestBatch> _ingestBatches;
    private readonly ObjectPool<FlushBatch> _flushBatches;
    private readonly IBatchSink _sink;
    private readonly ILogger _logger;
    private readonly long _flushIntervalMs;
    private readonly TenantAllowList _pixelTenants;
    private readonly TimeWindow _window;
    private readonly MessageDecoder _decoder;
    private readonly ShardNames _names;
    private readonly PathBudget _pathBudget;
    private readonly TrafficAggregate _traffic = new();
    private readonly StatusAggregate _statuses = new();
    private readonly PathAggregate _paths;
    private readonly PixelAggregate _pixels;
    private readonly VisitorAggregate _visitors;
    private readonly EventAggregate _events;
    private readonly RejectAggregate _rejects;
    private readonly RawRowAggregate? _rawRows;
    private readonly AgentAggregate _agents = new();
    private readonly AgentClassCache _agentClasses;
    private readonly bool _countBotsAsVisitors;
    private readonly TenantRequestCounters? _tenantCounters;
    private readonly ReferrerAggregate _referrers;
    private readonly KnownTenants _known;
    private readonly TenantAdmission _admission;
    private readonly int _idleSeconds;
    private readonly int _pressureAt;
    private readonly int _maxVisitors;
    private long _nextFlushAt;
    private int _lastSweep = int.MinValue;
    private long _tenantsForgotten;

    // Read by metrics from other threads; a torn read of a 64-bit counter cannot happen on x64/arm64.
    private long _linesCounted;
    private long _pixelHits;
    private long _eventsCounted;
    private long _nameBytes;

    /// <param name="ingestBatches">Where counted batches go back to; the sources rent from it.</param>
    /// <param name="flushBatches">Where flush batches come from; the sink returns them once written.</param>
    /// <param name="window">Which request times count; <see cref="TimeWindow.Unbounded"/> for <c>import</c>.</param>
    /// <param name="known">Configured tenants: always admitted, never forgotten.</param>
    /// <param name="admission">The policy for other new tenants; by default <paramref name="options"/>' limits for one shard.</param>
    /// <param name="rawRows">Tenants opted in to <c>requests_raw</c> and its cap; null or no tenant: none.</param>
    /// <param name="formats">The operator's compiled log formats, for <see cref="MessageKind.CustomLog"/> lines.</param>
    /// <param name="tenantMetrics">Tenants with their own <c>/metrics</c> series; null or none: no counters.</param>
    /// <param name="referrers">Tenants' own hosts and the referrer budgets; null: the defaults.</param>
    public Shard(int id, ObjectPool<IngestBatch> ingestBatches, ObjectPool<FlushBatch> flushBatches, IBatchSink sink, AggregationOptions options, int maxTenants, int maxPixelKeys, TenantAllowList pixelTenants, ILogger logger, TimeWindow window,
        KnownTenants? known = null, TenantAdmission? admission = null, RawRowsOptions? rawRows = null, LogFormats? formats = null, TenantMetricsOptions? tenantMetrics = null,
        ReferrerOptions? referrers = null)
    {
        _referrers = new ReferrerAggregate(referrers ?? new ReferrerOptions());
        _tenantCounters = tenantMetrics is { TenantLabels.Count: > 0 } ? new TenantRequestCounters(tenantMetrics.TenantLabels) : null;
        _decoder = new MessageDecoder(formats ?? LogFormats.None);
        _rawRows = rawRows is { Tenants.Count: > 0 } ? new RawRowAggregate(rawRows) : null;
        _known = known ?? KnownTenants.None;
        _admission = admission ?? new TenantAdmission(options.NewTenantsPerMinutePerDoor, options.NewTenantsPerMinutePerAddress, 1, maxTenants);
        _idleSeconds = (int)Math.Min(int.MaxValue / 2, Math.Ceiling(options.TenantIdleTimeout.TotalSeconds));
        _pressureAt = Math.Max(1, maxTenants / 4 * 3);
        _window = window;
        Id = id;
        _ingestBatches = ingestBatches;
        _flushBatches = flushBatches;
        _sink = sink;
        _logger = logger;
        _flushIntervalMs = (long)options.FlushInterval.TotalMilliseconds;
        _maxVisitors = options.MaxVisitorsPerFlush;
        _agentClasses = new AgentClassCache(options.CacheAgentClasses);
        _countBotsAsVisitors = options.CountBotsAsVisitors;
        _pixelTenants = pixelTenants;
        _names = new ShardNames(maxTenants, maxPixelKeys, options.MaxEventTypes, options.MaxPaths, options.MaxNameBytes, options.MaxNameBytesPerShard);
        _names.Tenants.Generation = (int)ClockSeconds();
        _pathBudget = new PathBudget(_names, options.MaxPathsPerTenant);
        _paths = new PathAggregate(_pathBudget);
        _pixels = new PixelAggregate(_names);
        _visitors = new VisitorAggregate(new VisitorHasher(HashKeys.Visitors(options)));
        _events = new EventAggregate(_names, _pathBudget, HashKeys.Users(options));
        _rejects = new RejectAggregate(options.RejectSamplesPerMinute, options.RejectSampleBytes, logger);
        _channel = Channel.CreateBounded<IngestBatch?>(new BoundedChannelOptions(options.ChannelCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            // The shard's loop must not run inline on a source's receive thread.
            AllowSynchronousContinuations = false,
        });
    }

    public int Id { get; }

    public ChannelWriter<IngestBatch?> Writer => _channel.Writer;

    /// <summary>Batches waiting in the channel.</summary>
    public int QueueDepth => _channel.Reader.Count;

    public long LinesCounted => Volatile.Read(ref _linesCounted);

    public long Rejected => _rejects.Rejected;

    public int TenantCount => _names.Tenants.Count;

    /// <summary>Tenants forgotten after <see cref="AggregationOptions.TenantIdleTimeout"/> (or 5 minutes under pressure).</summary>
    public long TenantsForgotten => Volatile.Read(ref _tenantsForgotten);

    public long PixelHits => Volatile.Read(ref _pixelHits);

    /// <summary>Rejects so far of one source for one reason.</summary>
    public long RejectsOf(IngestSource source, RejectReason reason) => _rejects.RejectsOf(source, reason);

    /// <summary>Pixel hits counted under <c>(other)</c> because the shard already knew as many keys as allowed.</summary>
    public long PixelKeysFolded => _pixels.KeysFolded;

    /// <summary>
    /// Access-log lines and events counted under the path <c>(other)</c>: past <see cref="AggregationOptions.MaxPaths"/>
    /// of the shard or past <see cref="AggregationOptions.MaxPathsPerTenant"/> of their tenant's interval.
    /// </summary>
    public long PathsFolded => _pathBudget.Folded;

    /// <summary>Events counted under the event type <c>(other)</c> past <see cref="AggregationOptions.MaxEventTypes"/>.</summary>
    public long EventTypesFolded => _events.TypesFolded;

    public long EventsCounted => Volatile.Read(ref _eventsCounted);

    /// <summary>Lines, hits and events whose path, pixel key, event type or tenant was cut to <c>MaxNameBytes</c>.</summary>
    public long PathsTruncated => _names.Paths.Truncated;

    /// <inheritdoc cref="PathsTruncated"/>
    public long PixelKeysTruncated => _names.PixelKeys.Truncated;

    /// <inheritdoc cref="PathsTruncated"/>
    public long EventTypesTruncated => _names.EventTypes.Truncated;

    /// <inheritdoc cref="PathsTruncated"/>
    public long TenantsTruncated => _names.Tenants.Truncated;

    /// <summary>Bytes the shard's folding name tables are charged now (see <see cref="NameBudget"/>).</summary>
    public long NameBytes => Volatile.Read(ref _nameBytes);

    /// <summary><c>requests_raw</c> rows handed to the sink.</summary>
    public long RawRowsKept => _rawRows?.Kept ?? 0;

    /// <summary>Requests of opted-in tenants past <see cref="RawRowsOptions.MaxRowsPerFlush"/>: counted everywhere but without a raw row.</summary>
    public long RawRowsDropped => _rawRows?.Dropped ?? 0;

    /// <summary>Per-tenant status-class and cache counters of the opted-in tenants; null when none is.</summary>
    public TenantRequestCounters? TenantCounters => _tenantCounters;

    /// <summary>Events counted under an <c>(other)</c> type or path (or both); each event once.</summary>
    public long EventsFolded => _events.Folded;

    /// <summary>Requests whose referrer counted under the host <c>(other)</c>, past <see cref="ReferrerOptions.MaxSourcesPerTenant"/>.</summary>
    public long ReferrersFolded => _referrers.Folded;

    /// <summary>User agents classified (not found in the shard's <see cref="AgentClassCache"/>); read by tests and benchmarks, on the shard's thread.</summary>
    public long AgentsClassified => _agentClasses.Misses;

    /// <summary>User agents answered from the shard's <see cref="AgentClassCache"/>.</summary>
    public long AgentClassCacheHits => _agentClasses.Hits;

    /// <summary>
    /// Reads batches until the channel completes, then flushes what is left. A null item is the flush
    /// timer's tick; a busy shard also checks the clock after every batch, so a full channel that drops
    /// ticks still flushes on time.
    /// </summary>
    public async Task RunAsync()
    {
        ChannelReader<IngestBatch?> reader = _channel.Reader;
        _nextFlushAt = Environment.TickCount64 + _flushIntervalMs;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out IngestBatch? batch))
            {
                if (batch is not null)
                {
                    try
                    {
                        Process(batch);
                    }
                    catch (Exception ex)
                    {
                        // A bug, not bad input (parsers don't throw): lose this batch, keep the shard alive.
                        AggregationLog.BatchFailed(_logger, ex, Id, batch.Count);
                    }

                    // The decoder's record may reference the batch's buffer: let go of it before it is reused.
                    _decoder.Release();
                    TaskCompletionSource? barrier = batch.Barrier;
                    _ingestBatches.Return(batch);
                    if (barrier is not null)
                    {
                        await FlushAsync(CancellationToken.None, barrier).ConfigureAwait(false);
                    }
                }

                // Early when the visitor set reaches its bound: memory stays bounded at any line rate.
                if (Environment.TickCount64 >= _nextFlushAt || _visitors.Held >= _maxVisitors || _referrers.Held >= _maxVisitors || _agents.Held >= _maxVisitors)
                {
                    await FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }

        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Hands every changed bucket to the sink as one batch and starts the next interval empty.</summary>
    /// <param name="barrier">Travels with the batch (sent even when empty) and is completed once it is written.</param>
    public async ValueTask FlushAsync(CancellationToken cancellationToken, TaskCompletionSource? barrier = null)
    {
        _nextFlushAt = Environment.TickCount64 + _flushIntervalMs;
        bool empty = _traffic.IsEmpty && _statuses.IsEmpty && _rejects.IsEmpty && _pixels.IsEmpty && _visitors.IsEmpty && _events.IsEmpty && _paths.IsEmpty && (_rawRows?.IsEmpty ?? true) && _referrers.IsEmpty && _agents.IsEmpty;
        if (empty)
        {
            // Nothing refers to a tenant id: an idle shard forgets its idle tenants too, without a batch.
            ForgetIdleTenants(ClockSeconds());
        }

        if (barrier is null && empty)
        {
            return;
        }

        FlushBatch batch = _flushBatches.Rent();
        if (barrier is not null)
        {
            batch.Barriers.Add(barrier);
        }

        NameTable tenants = _names.Tenants;
        _traffic.ProjectInto(batch, tenants);
        _statuses.ProjectInto(batch, tenants);
        _pixels.ProjectInto(batch, tenants);
        _visitors.ProjectInto(batch, tenants, _names.PixelKeys);
        _events.ProjectInto(batch, tenants, _names.Paths);
        _paths.ProjectInto(batch, tenants, _names.Paths);
        _rawRows?.ProjectInto(batch);
        _referrers.ProjectInto(batch, tenants);
        _agents.ProjectInto(batch, tenants);
        _rejects.ProjectInto(batch, tenants, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        Volatile.Write(ref _linesCounted, _linesCounted + batch.Lines);
        Volatile.Write(ref _pixelHits, _pixelHits + batch.PixelHits);
        Volatile.Write(ref _eventsCounted, _eventsCounted + batch.EventCount);
        _traffic.Clear();
        _statuses.Clear();
        _pixels.Clear();
        _visitors.Clear();
        _events.Clear();
        _paths.Clear();
        _agents.Clear();
        _rejects.Clear();
        _referrers.Clear();
        // No bucket refers to a name id now (rows carry the names' bytes), so the tables may forget.
        _names.Recycle();
        _pathBudget.Clear();
        ForgetIdleTenants(ClockSeconds());
        Volatile.Write(ref _nameBytes, _names.Budget.Used);
        await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }
}
