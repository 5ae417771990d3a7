using FastIngest.Core.Internal;
using FastIngest.Core.Sinks;

namespace FastIngest.Benchmarks;

/// <summary>A sink that drops every batch: the suites measure the path up to the sink, not ClickHouse.</summary>
internal sealed class DiscardingSink(ObjectPool<FlushBatch> pool) : IBatchSink
{
    public ValueTask WriteAsync(FlushBatch batch, CancellationToken cancellationToken)
    {
        pool.Return(batch);
        return ValueTask.CompletedTask;
    }
}
