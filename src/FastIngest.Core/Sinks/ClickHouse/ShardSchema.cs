using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The schema of one shard of a cluster (issue 19): <c>clickhouse/schema.sql</c> with its database renamed
/// to the shard's local database, applied to every replica of the shard, each directly.
/// </summary>
/// <remarks>
/// The one seam the cluster schema derivation (<c>ClickHouse/Cluster/ClusterSchema</c>: Replicated engines,
/// the <c>Distributed</c> tables, <c>ON CLUSTER</c>) replaces: the shard's sink calls only
/// <see cref="ApplyAsync"/>. Every replica must take it before the shard's sink inserts directly; until
/// then its rounds go to its spool, as for a single server whose schema is not in place.
/// </remarks>
internal static class ShardSchema
{
    /// <param name="options">The shard's options (<see cref="ClickHouseOptions.ForShard"/>): the local database, credentials, timeout.</param>
    public static async Task ApplyAsync(ClickHouseOptions options, IReadOnlyList<Uri> replicas, CancellationToken cancellationToken)
    {
        foreach (Uri replica in replicas)
        {
            ClickHouseOptions one = options.ForShard(new ClickHouseShardOptions { Replicas = [replica] });
            using ClickHouseClient client = ClickHouseClients.CreateClient(one);
            await SchemaMigrator.ApplyAsync(client, options.Database, cancellationToken).ConfigureAwait(false);
        }
    }
}
