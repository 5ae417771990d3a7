using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.ClickHouse.Cluster;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// The schema of one shard of a cluster (issue 19), from <see cref="ClusterSchema"/>: the local schema
/// (<c>Replicated*MergeTree</c> when the shard has more than one replica) and then the <c>Distributed</c>
/// tables reads go through, on every replica of the shard, each directly; with
/// <see cref="ClickHouseOptions.OnCluster"/>, the whole cluster's once per statement <c>ON CLUSTER</c>.
/// </summary>
/// <remarks>
/// Every replica must take the local schema before the shard's sink inserts directly; until then its rounds
/// go to its spool, as for a single server whose schema is not in place. A server that does not know the
/// cluster (no <c>remote_servers</c> entry) refuses the Distributed tables: that is logged, and writing goes
/// on, since the shard's own tables are in place and only reads through <c>Database</c> need them.
/// </remarks>
internal static class ShardSchema
{
    // "Requested cluster '…' not found": CLUSTER_DOESNT_EXIST, 701 on modern servers; 18.16 answers 170.
    private const int UnknownCluster = 701, UnknownCluster1816 = 170;

    /// <param name="options">The shard's options (<see cref="ClickHouseOptions.ForShard"/>): credentials, timeout, the cluster's.</param>
    public static async Task ApplyAsync(ClickHouseOptions options, IReadOnlyList<Uri> replicas, ILogger logger, CancellationToken cancellationToken)
    {
        ClickHouseOptions cluster = options.Whole ?? throw new InvalidOperationException("A shard's schema needs the shard's options (ClickHouseOptions.ForShard).");
        if (cluster.OnCluster)
        {
            await ClusterSchemaApplier.ApplyAsync(cluster, cancellationToken).ConfigureAwait(false);
            return;
        }

        IReadOnlyList<string> local = ClusterSchema.Local(cluster.LocalDatabase, replicated: replicas.Count > 1);
        IReadOnlyList<string> distributed = ClusterSchema.Distributed(cluster.Database, cluster.Cluster, cluster.LocalDatabase);
        foreach (Uri replica in replicas)
        {
            using ClickHouseClient client = ClickHouseClients.CreateClient(options, replica);
            foreach (string statement in local)
            {
                await client.ExecuteNonQueryAsync(statement, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            try
            {
                foreach (string statement in distributed)
                {
                    await client.ExecuteNonQueryAsync(statement, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ClickHouseErrors.TryParseCode(ex.Message, out int code) && code is UnknownCluster or UnknownCluster1816)
            {
                SinkLog.UnknownCluster(logger, ex, replica, cluster.Cluster, cluster.Database);
            }
        }
    }
}
