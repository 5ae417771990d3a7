namespace FastIngest.Core.Sinks;

/// <summary>One (tenant, key, minute) of <c>pixel_1m</c>.</summary>
internal readonly record struct PixelRow(byte[] Tenant, byte[] Key, uint Minute, ulong Hits);
