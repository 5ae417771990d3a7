using System.Buffers;
using System.Diagnostics.Metrics;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks.Spool;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The sink the pipeline writes to: one <see cref="ClickHouseSink"/> per ClickHouse shard (issue 19), each
/// with its own spool, ledger and replay loop, so exactly-once holds per shard and a shard that is down
/// spools only its own rounds while the others' tenants keep landing.
/// </summary>
/// <remarks>
/// <para>Without <c>ClickHouse:Shards</c> it holds the one sink of the single server (its spool where it
/// always was) and hands every batch to it unchanged: the behaviour of before, byte for byte. With shards,
/// each flush batch is split by tenant (<see cref="ShardSplitter"/>, <see cref="TenantShard"/>) into one
/// batch per shard, whose sink writes into <c>&lt;LocalDatabase&gt;.&lt;table&gt;_in</c> on a replica of
/// that shard, spooling in <c>&lt;spool&gt;/shard-&lt;i&gt;</c>.</para>
/// <para>The numbers the server shows are the shards' sums (the worst shard's for ages and alarms), so the
/// existing metric names, alerts and <c>/health</c> fields keep their meaning; <see cref="Shards"/> gives
/// each shard's own.</para>
/// </remarks>
internal sealed class ShardedClickHouseSink : IBatchSink, IAsyncDisposable
{
    private readonly ClickHouseSink[] _shards;
    private readonly DiskSpool[] _ownedSpools;
    private readonly ObjectPool<FlushBatch> _batchPool;
    private int _disposed;

    /// <param name="shards">The shards' sinks, in shard order.</param>
    /// <param name="ownedSpools">Spools this sink opened and closes at dispose (the single server's belongs to the host).</param>
    public ShardedClickHouseSink(ClickHouseSink[] shards, ObjectPool<FlushBatch> batchPool, DiskSpool[]? ownedSpools = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(shards.Length);
        _shards = shards;
        _batchPool = batchPool;
        _ownedSpools = ownedSpools ?? [];
    }

    /// <summary>The shards' sinks, by shard index; one for the single server.</summary>
    public IReadOnlyList<ClickHouseSink> Shards => _shards;

    /// <summary>
    /// A sink per shard of <paramref name="options"/>'s <c>Shards</c>: the shard's replicas, its local
    /// database, and a spool of its own in <c>shard-&lt;i&gt;</c> under <paramref name="spool"/>'s directory
    /// (each with <c>Spool:MaxBytes</c>).
    /// </summary>
    public static ShardedClickHouseSink ForCluster(ClickHouseOptions options, SpoolOptions spool, ObjectPool<FlushBatch> batchPool, ILoggerFactory loggers)
    {
        var sinks = new ClickHouseSink[options.Shards.Count];
        var spools = new DiskSpool[sinks.Length];
        ILogger logger = loggers.CreateLogger<ClickHouseSink>();
        for (int i = 0; i < sinks.Length; i++)
        {
            ClickHouseShardOptions shard = options.Shards[i];
            spools[i] = DiskSpool.Open(
                new SpoolOptions { Directory = ShardSpoolDirectory(spool.Directory, i), MaxBytes = spool.MaxBytes, SegmentBytes = spool.SegmentBytes },
                loggers.CreateLogger<DiskSpool>());
            sinks[i] = new ClickHouseSink(options.ForShard(shard), spools[i], batchPool, logger, shard.Replicas);
        }

        return new ShardedClickHouseSink(sinks, batchPool, spools);
    }

    /// <summary>Shard <paramref name="shard"/>'s spool folder under the server's spool folder.</summary>
    public static string ShardSpoolDirectory(string spoolDirectory, int shard) =>
        Path.Combine(spoolDirectory, "shard-" + shard.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public long LinesWritten => Sum(static s => s.LinesWritten);

    public long PixelHitsWritten => Sum(static s => s.PixelHitsWritten);

    public long EventsWritten => Sum(static s => s.EventsWritten);

    public long RowsWritten => Sum(static s => s.RowsWritten);

    public long InsertsFailed => Sum(static s => s.InsertsFailed);

    public int QueuedBatches => (int)Sum(static s => s.QueuedBatches);

    public long RoundsSpooled => Sum(static s => s.RoundsSpooled);

    public long RoundsReplayed => Sum(static s => s.RoundsReplayed);

    public long RoundsQuarantined => Sum(static s => s.RoundsQuarantined);

    public long DuplicatesAvoided => Sum(static s => s.DuplicatesAvoided);

    public long PartialInserts => Sum(static s => s.PartialInserts);

    public long RoundsDropped => Sum(static s => s.RoundsDropped);

    public long SpoolDiskFaults => Sum(static s => s.SpoolDiskFaults);

    /// <summary>Rounds waiting in the spools.</summary>
    public long SpoolRecords => Sum(static s => s.Spool.Records);

    public bool SpoolIsEmpty => SpoolRecords == 0;

    /// <summary>When the oldest round waiting in any shard's spool was written; null when every spool is empty.</summary>
    public DateTimeOffset? OldestSpooled
    {
        get
        {
            DateTimeOffset? oldest = null;
            foreach (ClickHouseSink shard in _shards)
            {
                if (shard.Spool.Oldest is { } spooled && (oldest is null || spooled < oldest))
                {
                    oldest = spooled;
                }
            }

            return oldest;
        }
    }

    /// <summary>The rounds and bytes in the shards' quarantine folders together (a scan of each folder).</summary>
    public (int Rounds, long Bytes) QuarantineScan()
    {
        (int rounds, long bytes) = (0, 0);
        foreach (ClickHouseSink shard in _shards)
        {
            (int r, long b) = shard.Quarantine.Scan();
            rounds += r;
            bytes += b;
        }

        return (rounds, bytes);
    }

    /// <summary>Some shard's spool is full (see <see cref="ClickHouseSink.SpoolFull"/>).</summary>
    public bool SpoolFull => Any(static s => s.SpoolFull);

    /// <summary>Some shard drops rounds now: its spool is full or its disk refuses writes.</summary>
    public bool Dropping => Any(static s => s.Dropping);

    /// <summary>The first shard's disk fault while one refuses spool writes; null otherwise.</summary>
    public string? SpoolDiskFault => First(static s => s.SpoolDiskFault);

    /// <summary>The worst shard's: the longest time since a shard's ClickHouse last took an insert.</summary>
    public TimeSpan SinceLastSuccess
    {
        get
        {
            TimeSpan worst = TimeSpan.Zero;
            foreach (ClickHouseSink shard in _shards)
            {
                TimeSpan since = shard.SinceLastSuccess;
                worst = since > worst ? since : worst;
            }

            return worst;
        }
    }

    /// <summary>The spool folder (the single server's), or the shards' folders joined by ", ": for log lines.</summary>
    public string SpoolDirectory => _shards.Length == 1 ? _shards[0].Spool.Directory : string.Join(", ", _shards.Select(s => s.Spool.Directory));

    /// <summary>Lines, pixel hits and events lost per tenant, all shards (a tenant is on one shard).</summary>
    public IReadOnlyDictionary<string, long> DroppedByTenant
    {
        get
        {
            if (_shards.Length == 1)
            {
                return _shards[0].DroppedByTenant;
            }

            var dropped = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (ClickHouseSink shard in _shards)
            {
                foreach ((string tenant, long count) in shard.DroppedByTenant)
                {
                    dropped[tenant] = dropped.GetValueOrDefault(tenant) + count;
                }
            }

            return dropped;
        }
    }

    /// <summary>Where every shard records its confirmed rounds' latency.</summary>
    public Histogram<double>? FlushLatencyHistogram
    {
        get => _shards[0].FlushLatencyHistogram;
        set
        {
            foreach (ClickHouseSink shard in _shards)
            {
                shard.FlushLatencyHistogram = value;
            }
        }
    }

    /// <summary>Starts every shard's sink; a shard that is down at start spools until it answers (as a single server).</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        _shards.Length == 1 ? _shards[0].StartAsync(cancellationToken) : Task.WhenAll(_shards.Select(s => s.StartAsync(cancellationToken)));

    public ValueTask WriteAsync(FlushBatch batch, CancellationToken cancellationToken)
    {
        if (_shards.Length == 1)
        {
            return _shards[0].WriteAsync(batch, cancellationToken);
        }

        if (batch.IsEmpty && batch.Barriers.Count == 0)
        {
            _batchPool.Return(batch);
            return ValueTask.CompletedTask;
        }

        return WriteShardsAsync(batch, cancellationToken);
    }

    /// <summary>Stops every shard's sink, each writing its queue and replaying its spool as far as it can.</summary>
    public Task StopAsync(CancellationToken cancellationToken) =>
        _shards.Length == 1 ? _shards[0].StopAsync(cancellationToken) : Task.WhenAll(_shards.Select(s => s.StopAsync(cancellationToken)));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (ClickHouseSink shard in _shards)
        {
            await shard.DisposeAsync().ConfigureAwait(false);
        }

        foreach (DiskSpool spool in _ownedSpools)
        {
            spool.Dispose();
        }
    }

    private async ValueTask WriteShardsAsync(FlushBatch batch, CancellationToken cancellationToken)
    {
        TaskCompletionSource[]? barriers = batch.Barriers.Count > 0 ? [.. batch.Barriers] : null;
        FlushBatch[] pieces = ArrayPool<FlushBatch>.Shared.Rent(_shards.Length);
        int handed = 0;
        try
        {
            ShardSplitter.Split(batch, pieces.AsSpan(0, _shards.Length), _batchPool);
            if (barriers is not null)
            {
                // Each shard completes its own barrier once its piece (and all before it) is written or
                // spooled; the waiters' barriers complete once every shard's has.
                var shardBarriers = new Task[_shards.Length];
                for (int i = 0; i < _shards.Length; i++)
                {
                    var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    pieces[i].Barriers.Add(barrier);
                    shardBarriers[i] = barrier.Task;
                }

                _ = CompleteWhenAllAsync(shardBarriers, barriers);
            }

            // Shard by shard: a shard whose queue is full holds the flush (backpressure, as for one server);
            // one that is down does not, its sink spools and its queue keeps moving.
            for (; handed < _shards.Length; handed++)
            {
                await _shards[handed].WriteAsync(pieces[handed], cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Pieces not handed over (a stop cancelled the wait) go back to the pool.
            for (int i = handed; i < _shards.Length; i++)
            {
                if (pieces[i] is { } piece)
                {
                    _batchPool.Return(piece);
                }
            }

            Array.Clear(pieces, 0, _shards.Length);
            ArrayPool<FlushBatch>.Shared.Return(pieces);
        }
    }

    private static async Task CompleteWhenAllAsync(Task[] shardBarriers, TaskCompletionSource[] barriers)
    {
        await Task.WhenAll(shardBarriers).ConfigureAwait(false);
        foreach (TaskCompletionSource barrier in barriers)
        {
            barrier.TrySetResult();
        }
    }

    private long Sum(Func<ClickHouseSink, long> value)
    {
        long sum = 0;
        foreach (ClickHouseSink shard in _shards)
        {
            sum += value(shard);
        }

        return sum;
    }

    private bool Any(Func<ClickHouseSink, bool> value)
    {
        foreach (ClickHouseSink shard in _shards)
        {
            if (value(shard))
            {
                return true;
            }
        }

        return false;
    }

    private string? First(Func<ClickHouseSink, string?> value)
    {
        foreach (ClickHouseSink shard in _shards)
        {
            if (value(shard) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
