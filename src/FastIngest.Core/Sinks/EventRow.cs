namespace FastIngest.Core.Sinks;

/// <summary>One (tenant, minute, event type, path) of <c>events_1m</c>.</summary>
internal readonly record struct EventRow(byte[] Tenant, uint Minute, byte[] EventType, byte[] Path, ulong Events);
