using FastIngest.Core.Ingest;

namespace FastIngest.Core.Aggregation;

/// <summary>A tenant-minute bucket of one shard. <see cref="Minute"/> is Unix seconds at the minute's start.</summary>
internal readonly record struct MinuteKey(int TenantId, uint Minute);

internal readonly record struct StatusKey(int TenantId, uint Minute, ushort Status);

/// <summary>Rejects of one kind since the last flush; tenant -1 when the input named none.</summary>
internal readonly record struct RejectKey(int TenantId, Parsing.RejectReason Reason, IngestSource Source);

/// <summary>Hits of one pixel key of a tenant in one minute.</summary>
internal readonly record struct PixelKey(int TenantId, int KeyId, uint Minute);

/// <summary>A visitor seen this flush interval; <see cref="KeyId"/> is -1 for a tenant's whole traffic.</summary>
internal readonly record struct VisitorKey(int TenantId, int KeyId, ushort Day, ulong Hash);

/// <summary>Events of one type and path of a tenant in one minute.</summary>
internal readonly record struct EventKey(int TenantId, uint Minute, int TypeId, int PathId);

/// <summary>A user (hashed user_id) of a tenant on a day, seen this flush interval.</summary>
internal readonly record struct UserKey(int TenantId, ushort Day, ulong Hash);

/// <summary>One path (file) of a tenant in one hour.</summary>
internal readonly record struct PathKey(int TenantId, uint Hour, int PathId);

/// <summary>A path a tenant named this flush interval: what its <c>MaxPathsPerTenant</c> budget counts.</summary>
internal readonly record struct TenantPathKey(int TenantId, int PathId);
