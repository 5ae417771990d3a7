using FastIngest.Core.Internal;

namespace FastIngest.Core.Ingest;

/// <summary>
/// Where a source's batches go: one channel per shard and the pool the batches come from. Defined here
/// so the envelope's writers depend on this seam, not on the aggregation that implements it
/// (Ingest → Parsing → Aggregation; nothing reaches back up).
/// </summary>
internal interface IShardChannels
{
    /// <summary>How many shards there are; a message goes to <see cref="TenantRouting.ShardOf"/>.</summary>
    int ShardCount { get; }

    /// <summary>The seed of <see cref="TenantRouting.ShardOf"/>: <see cref="TenantRouting.ProcessSeed"/> but in tests.</summary>
    long RoutingSeed => TenantRouting.ProcessSeed;

    /// <summary>The pool batches are rented from; the shard returns each one once counted.</summary>
    ObjectPool<IngestBatch> IngestBatches { get; }

    /// <summary>Hands a batch to its shard without waiting; false when the shard's channel is full.</summary>
    bool TryEnqueue(int shard, IngestBatch batch);

    /// <summary>Hands a batch to its shard, waiting for room (backpressure).</summary>
    ValueTask EnqueueAsync(int shard, IngestBatch batch, CancellationToken cancellationToken);
}
