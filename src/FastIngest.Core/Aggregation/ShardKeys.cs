namespace FastIngest.Core.Aggregation;

/// <summary>A tenant-minute bucket of one shard. <see cref="Minute"/> is Unix seconds at the minute's start.</summary>
internal readonly record struct MinuteKey(int TenantId, uint Minute);

internal readonly record struct StatusKey(int TenantId, uint Minute, ushort Status);

/// <summary>Rejects of one kind since the last flush; tenant -1 when the input named none.</summary>
internal readonly record struct RejectKey(int TenantId, Parsing.RejectReason Reason, IngestSource Source);
