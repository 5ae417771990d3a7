using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The ClickHouse sink's log messages, one block of EventIds for its facade, writer and replayer (they
/// log under the sink's one category, so an operator's filter on it keeps working).
/// </summary>
internal static partial class SinkLog
{
    // Sinks own EventIds 500-599; next free: 519.
    [LoggerMessage(516, LogLevel.Error, "ClickHouse at {Replica} does not know the cluster '{Cluster}' (no remote_servers entry): the Distributed tables of '{Database}' that reads go through are missing there; writes to the shard go on. See clickhouse/cluster/README.md")]
    public static partial void UnknownCluster(ILogger logger, Exception exception, Uri replica, string cluster, string database);

    [LoggerMessage(517, LogLevel.Warning, "ClickHouse has no table or database for an insert (a replica that missed the schema, or it was dropped): applying the schema again before the next attempt")]
    public static partial void SchemaMissing(ILogger logger, Exception exception);

    [LoggerMessage(518, LogLevel.Warning, "Replica {Replica} can't be reached: the shard's schema goes to its other replicas now and to it when an insert finds it without the schema")]
    public static partial void ReplicaSchemaDeferred(ILogger logger, Exception exception, Uri replica);

    [LoggerMessage(500, LogLevel.Warning, "ClickHouse {What} failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void Failed(ILogger logger, Exception exception, string what, int attempt, TimeSpan delay);

    [LoggerMessage(501, LogLevel.Information, "ClickHouse {What} succeeded after {Attempt} attempts")]
    public static partial void Recovered(ILogger logger, string what, int attempt);

    [LoggerMessage(502, LogLevel.Warning, "ClickHouse did not take a flush; spooling to {Directory} until it does")]
    public static partial void WriteFailedSpooling(ILogger logger, Exception exception, string directory);

    [LoggerMessage(503, LogLevel.Error, "Spool {Directory} is full ({Bytes} bytes) and ClickHouse can't take writes: DROPPING counts ({Count} lines, hits and events in this round; per tenant in /metrics) until one of them has room")]
    public static partial void SpoolFull(ILogger logger, string directory, long bytes, long count);

    [LoggerMessage(504, LogLevel.Information, "Spool {Directory} has room again; no longer dropping")]
    public static partial void SpoolHasRoomAgain(ILogger logger, string directory);

    [LoggerMessage(505, LogLevel.Error, "Spool record in {Directory} is not a round this version can read; skipped it")]
    public static partial void UnreadableRecord(ILogger logger, string directory);

    [LoggerMessage(506, LogLevel.Error, "ClickHouse applied insert {InsertId:x16} into {Table} only in part ({Seen} of {Rows} rows); not retried, to never count twice")]
    public static partial void PartialInsert(ILogger logger, string table, ulong insertId, long seen, long rows);

    [LoggerMessage(507, LogLevel.Warning, "Stopped with {Records} rounds ({Bytes} bytes) in the spool {Directory}; the next start replays them")]
    public static partial void StoppedWithSpool(ILogger logger, int records, long bytes, string directory);

    [LoggerMessage(508, LogLevel.Warning, "ClickHouse did not take the schema at start; writes are spooled until it does")]
    public static partial void SchemaDeferred(ILogger logger, Exception exception);

    [LoggerMessage(509, LogLevel.Error, "Spool {Directory} can't be written (the disk refused it) and ClickHouse can't take writes: DROPPING counts ({Count} lines, hits and events in this round; per tenant in /metrics) until the disk has room again")]
    public static partial void SpoolDiskFault(ILogger logger, Exception exception, string directory, long count);

    [LoggerMessage(510, LogLevel.Information, "Spool {Directory} is writable again after {Faults} refused writes; no longer dropping")]
    public static partial void SpoolWritableAgain(ILogger logger, string directory, long faults);

    [LoggerMessage(511, LogLevel.Error, "The sink's write loop failed on a round; DROPPED it ({Count} lines, hits and events; per tenant in /metrics) and goes on")]
    public static partial void RoundLost(ILogger logger, Exception exception, long count);

    [LoggerMessage(512, LogLevel.Error, "ClickHouse refused a round for good after {Attempts} attempts: insert into {Table}, Code {Code} ({Error}): {Message}. Moved it to {Path}; the rounds behind it go on. Fix the cause, then run `FastIngest.Server spool retry`")]
    public static partial void RoundQuarantined(ILogger logger, int attempts, string table, int code, string error, string message, string path);

    [LoggerMessage(513, LogLevel.Error, "ClickHouse refused a round for good (insert into {Table}, Code {Code}), but the quarantine folder {Directory} can't take it (the disk refused it); the round stays in the spool and is tried again")]
    public static partial void QuarantineDiskFault(ILogger logger, Exception exception, string table, int code, string directory);

    [LoggerMessage(514, LogLevel.Error, "ClickHouse refused a round for good (insert into {Table}, Code {Code} ({Error}): {Message}) and the quarantine {Directory} is at its cap ({Bytes} bytes): DROPPED the round ({Count} lines, hits and events) so the rounds behind it go on")]
    public static partial void QuarantineFullDropped(ILogger logger, string table, int code, string error, string message, string directory, long bytes, long count);

    [LoggerMessage(515, LogLevel.Error, "ClickHouse refused an insert of the oldest spooled round and the generation of its next attempt could not be saved to {Path}; it is kept in memory, but a restart before that round is written could take a stale insert_ledger row for it and skip its data")]
    public static partial void GenerationsNotSaved(ILogger logger, Exception exception, string path);
}
