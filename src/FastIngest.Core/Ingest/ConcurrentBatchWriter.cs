using System.IO.Hashing;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Ingest;

/// <summary>
/// The thread-safe sibling of <see cref="ShardedBatchWriter"/>, for sources where every request runs on
/// its own thread-pool thread (HTTP). Each shard has one pending batch behind its own lock, held for a
/// few microseconds per message; a batch is handed over when full, or by a background loop once it has
/// waited <see cref="HoldTime"/>, so a trickle of requests still reaches the shards promptly.
/// </summary>
internal sealed class ConcurrentBatchWriter : IDisposable
{
    public static readonly TimeSpan HoldTime = TimeSpan.FromMilliseconds(5);

    private readonly IShardChannels _shards;
    private readonly IngestSource _source;
    private readonly Slot[] _slots;
    private readonly long _seed;
    private readonly CancellationTokenSource _stop = new();
    private Task _handoffs = Task.CompletedTask;

    public ConcurrentBatchWriter(IShardChannels shards, IngestSource source)
    {
        _shards = shards;
        _source = source;
        _slots = new Slot[shards.ShardCount];
        _seed = shards.RoutingSeed;
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot();
        }
    }

    public void Start() => _handoffs = Task.Run(HandOffWaitingBatchesAsync);

    /// <summary>
    /// Copies the message into its shard's pending batch. Completes synchronously unless a full batch
    /// met a full channel: then the caller waits, which is the backpressure HTTP clients should feel.
    /// </summary>
    /// <param name="sender">The client's <see cref="SenderKey"/>, for the shards' per-address admission of new tenants.</param>
    public ValueTask AddAsync(MessageKind kind, RejectReason reject, ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> body, uint arrivedAt, ulong sender = SenderKey.None)
    {
        ulong hash = XxHash3.HashToUInt64(tenant);
        int shard = TenantRouting.ShardOf(tenant, _slots.Length, _seed);
        Slot slot = _slots[shard];
        IngestBatch? full = null;
        lock (slot.Lock)
        {
            IngestBatch? batch = slot.Pending;
            if (batch is not null && batch.Count > 0 && !batch.HasRoomFor(tenant.Length + body.Length))
            {
                full = batch;
                batch = null;
            }

            if (batch is null)
            {
                batch = _shards.IngestBatches.Rent();
                batch.Source = _source;
                slot.Pending = batch;
                slot.FirstAddedAt = Environment.TickCount64;
            }

            batch.Add(kind, reject, hash, tenant, body, arrivedAt, sender);
        }

        if (full is null || _shards.TryEnqueue(shard, full))
        {
            return ValueTask.CompletedTask;
        }

        return _shards.EnqueueAsync(shard, full, CancellationToken.None);
    }

    /// <summary>Stops the background hand-offs and hands every pending batch to its shard.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _handoffs.ConfigureAwait(false);
        await HandOffAsync(olderThan: long.MaxValue, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Call <see cref="StopAsync"/> first: disposing hands nothing over.</summary>
    public void Dispose() => _stop.Dispose();

    private async Task HandOffWaitingBatchesAsync()
    {
        using var timer = new PeriodicTimer(HoldTime);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                // Not cancellable: a batch taken out of its slot must reach its shard, or it is lost.
                await HandOffAsync(olderThan: Environment.TickCount64 - (long)HoldTime.TotalMilliseconds, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async ValueTask HandOffAsync(long olderThan, CancellationToken cancellationToken)
    {
        for (int shard = 0; shard < _slots.Length; shard++)
        {
            Slot slot = _slots[shard];
            IngestBatch? waiting = null;
            lock (slot.Lock)
            {
                if (slot.Pending is { Count: > 0 } && (olderThan == long.MaxValue || slot.FirstAddedAt <= olderThan))
                {
                    waiting = slot.Pending;
                    slot.Pending = null;
                }
            }

            if (waiting is not null)
            {
                await _shards.EnqueueAsync(shard, waiting, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed class Slot
    {
        public Lock Lock { get; } = new();

        public IngestBatch? Pending { get; set; }

        public long FirstAddedAt { get; set; }
    }
}
