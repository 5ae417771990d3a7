namespace FastIngest.Core.Sinks;

/// <summary>One (tenant, minute, exact status) of <c>status_1m</c>.</summary>
internal readonly record struct StatusRow(byte[] Tenant, uint Minute, ushort Status, ulong Requests);
