namespace FastIngest.Core.Sinks;

/// <summary>One tenant-minute of <c>traffic_1m</c>: deltas since the previous flush.</summary>
internal readonly record struct TrafficRow(byte[] Tenant, uint Minute, TrafficCounters Counters);
