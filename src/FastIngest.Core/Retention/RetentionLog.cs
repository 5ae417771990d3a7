using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Retention;

internal static partial class RetentionLog
{
    // Retention owns EventIds 1600-1699; next free: 1606.
    [LoggerMessage(1600, LogLevel.Information, "Retention: ClickHouse {Version}, expiring rows by {Means}")]
    public static partial void Learnt(ILogger logger, string version, string means);

    [LoggerMessage(1601, LogLevel.Information, "Retention: set TTL {Ttl} on {Table} (it had {Previous}); ClickHouse removes its expired rows in merges")]
    public static partial void TtlSet(ILogger logger, string table, string ttl, string previous);

    [LoggerMessage(1602, LogLevel.Information, "Retention: removed TTL {Ttl} from {Table}: its rows are kept for good now")]
    public static partial void TtlRemoved(ILogger logger, string table, string ttl);

    [LoggerMessage(1603, LogLevel.Information, "Retention: dropped partition {PartitionId} of {Table} ({Rows} rows): its whole time range is older than {Days} days (before {Cutoff:u})")]
    public static partial void PartitionDropped(ILogger logger, string table, string partitionId, long rows, int days, DateTime cutoff);

    [LoggerMessage(1604, LogLevel.Warning, "Retention pass failed; trying again in {Delay}")]
    public static partial void RunFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(1605, LogLevel.Debug, "Retention: {Table} has a partition key it can't read a time range from; left alone")]
    public static partial void UnknownKey(ILogger logger, string table);
}
