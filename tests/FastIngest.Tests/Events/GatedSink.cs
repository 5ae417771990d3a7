using FastIngest.Core.Sinks;

namespace FastIngest.Tests.Events;

/// <summary>A sink whose writes wait at a gate the test opens, so a test can hold a flush round in flight.</summary>
internal sealed class GatedSink : IBatchSink
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writes;
    private long _events;

    public Core.Internal.ObjectPool<FlushBatch> Pool { get; } = new();

    /// <summary>Batches the shards handed over (one per shard per flush).</summary>
    public int Writes => Volatile.Read(ref _writes);

    public long Events => Interlocked.Read(ref _events);

    public void Open() => _open.TrySetResult();

    public async ValueTask WriteAsync(FlushBatch batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writes);
        await _open.Task.ConfigureAwait(false);
        Interlocked.Add(ref _events, batch.EventCount);
        foreach (TaskCompletionSource barrier in batch.Barriers)
        {
            barrier.TrySetResult();
        }

        Pool.Return(batch);
    }
}
