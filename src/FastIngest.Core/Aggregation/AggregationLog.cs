using FastIngest.Core.Ingest;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Aggregation;

/// <summary>Aggregation's log messages, in one place so its EventId block stays in one place.</summary>
internal static partial class AggregationLog
{
    // Aggregation owns EventIds 400-499; next free: 402.
    [LoggerMessage(400, LogLevel.Error, "Shard {Shard} failed on a batch of {Count} messages; the batch is lost")]
    public static partial void BatchFailed(ILogger logger, Exception exception, int shard, int count);

    [LoggerMessage(401, LogLevel.Debug, "Rejected input ({Reason}) from {Source} for tenant '{Tenant}'")]
    public static partial void Rejected(ILogger logger, string reason, IngestSource source, string tenant);
}
