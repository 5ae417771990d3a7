using System.IO.Hashing;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// Which ClickHouse shard holds a tenant's rows (issue 19): XxHash3 of the tenant's UTF-8 name, unseeded,
/// modulo the shard count. Stable across processes, nodes and restarts (unlike the aggregation shards'
/// seeded hash, <c>Ingest/TenantRouting</c>), so every node puts a tenant on the same shard and all its
/// rows are on one shard; a row without a tenant (an <c>ingest_errors</c> row of a refused line) goes to shard 0.
/// </summary>
internal static class TenantShard
{
    public static int Of(ReadOnlySpan<byte> tenant, int shards) =>
        tenant.IsEmpty || shards == 1 ? 0 : (int)(XxHash3.HashToUInt64(tenant) % (ulong)shards);
}
