namespace FastIngest.Core.Sinks;

/// <summary>
/// Where shards send their flushed minute buckets. The sink owns the batch from the call on and
/// returns it to the flush-batch pool the shards rent from when done. Waiting here is backpressure:
/// a shard that waits stops reading its channel, and its sources feel it.
/// </summary>
internal interface IBatchSink
{
    ValueTask WriteAsync(FlushBatch batch, CancellationToken cancellationToken);
}
