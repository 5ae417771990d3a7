namespace FastIngest.Core.Sinks;

/// <summary>One (tenant, hour, path) for <c>paths_1h</c>, whose write door folds rows into sum and max states.</summary>
internal readonly record struct PathRow(byte[] Tenant, uint Hour, byte[] Path, PathCounters Counters);
