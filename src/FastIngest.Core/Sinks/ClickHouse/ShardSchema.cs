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
/// One replica that takes the local schema is enough for the shard's sink to insert directly; a replica that
/// can't be connected to is skipped (and gets the schema when an insert later finds it without), and until
/// one takes it the rounds go to the spool, as for a single server whose schema is not in place. A server
/// that does not know the cluster (no <c>remote_servers</c> entry) refuses the Distributed tables: that is
/// logged, and writing goes on, since the shard's own tables are in place and only reads through
/// <c>Database</c> need them. With <c>OnCluster</c> the DDL queue waits for every replica (ClickHouse's
/// <c>distributed_ddl_task_timeout</c>), so there a replica down at start still holds the shard's writes.
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
        Exception? unreachable = null;
        int applied = 0;
        foreach (Uri replica in replicas)
        {
            using ClickHouseClient client = ClickHouseClients.CreateClient(options, replica);
            try
            {
                foreach (string statement in local)
                {
                    await client.ExecuteNonQueryAsync(statement, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (replicas.Count > 1 && IsUnreachable(ex))
            {
                // A replica down must not hold its shard's writes (that is what replicas are for): they go to
                // the replicas that took the schema, and an insert that finds this one without it later
                // applies the schema again (SpoolReplayer, ClickHouseErrors.IsMissingSchema).
                SinkLog.ReplicaSchemaDeferred(logger, ex, replica);
                unreachable = ex;
                continue;
            }

            applied++;

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

        if (applied == 0 && unreachable is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(unreachable);
        }
    }

    /// <summary>The replica could not be connected to: refused, unreachable, no route (as <see cref="ReplicaFailover"/> moves on).</summary>
    private static bool IsUnreachable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }
}
