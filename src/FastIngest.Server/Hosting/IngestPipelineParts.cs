using FastIngest.Core.Aggregation;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks;

namespace FastIngest.Server.Hosting;

/// <summary>Objects shared by the pipeline and the sink, made before either.</summary>
internal sealed class IngestPipelineParts(AggregationOptions options)
{
    public ObjectPool<FlushBatch> FlushBatches { get; } = new(maxRetained: Math.Max(64, options.EffectiveShards * 4));
}
