using ClickHouse.Driver;

namespace FastIngest.Core.ClickHouse.Cluster;

/// <summary>
/// Applies <see cref="ClusterSchema"/> to the servers of <see cref="ClickHouseOptions.Shards"/>: by default the
/// local schema to every replica of every shard, then the Distributed tables to every server, each directly
/// (no ZooKeeper needed: 18.16 has <c>ON CLUSTER</c> only with it); with <see cref="ClickHouseOptions.OnCluster"/>
/// each statement once, <c>ON CLUSTER</c>, through the first server. Idempotent (IF NOT EXISTS), so it runs at
/// every start like <c>SchemaMigrator</c> for one server.
/// </summary>
internal static class ClusterSchemaApplier
{
    /// <summary>Every statement in order, with the server that runs it; the local schema always comes first.</summary>
    public static IReadOnlyList<ClusterSchemaStep> Plan(ClickHouseOptions options) =>
        Plan(options, replicated => ClusterSchema.Local(options.LocalDatabase, replicated), () => ClusterSchema.Distributed(options.Database, options.Cluster, options.LocalDatabase));

    /// <summary><see cref="Plan(ClickHouseOptions)"/> over given local and Distributed schemas (for tests).</summary>
    public static IReadOnlyList<ClusterSchemaStep> Plan(ClickHouseOptions options, Func<bool, IReadOnlyList<string>> local, Func<IReadOnlyList<string>> distributed)
    {
        if (options.Shards.Count == 0)
        {
            throw new InvalidOperationException($"{ClickHouseOptions.SectionName}:Shards is empty: one server takes schema.sql as it is (SchemaMigrator).");
        }

        var steps = new List<ClusterSchemaStep>();
        if (options.OnCluster)
        {
            // One statement for every server: replicated engines if any shard has replicas (its servers'
            // {shard} and {replica} macros tell them apart); a shard of one replica still works with them.
            bool anyReplicas = options.Shards.Any(s => s.Replicas.Count > 1);
            Uri first = options.Shards[0].Replicas[0];
            foreach (string statement in local(anyReplicas).Concat(distributed()))
            {
                steps.Add(new ClusterSchemaStep(first, ClusterSchema.OnCluster(statement, options.Cluster)));
            }

            return steps;
        }

        foreach (ClickHouseShardOptions shard in options.Shards)
        {
            IReadOnlyList<string> statements = local(shard.Replicas.Count > 1);
            foreach (Uri replica in shard.Replicas)
            {
                steps.AddRange(statements.Select(s => new ClusterSchemaStep(replica, s)));
            }
        }

        // Reads may go to any server, so each has the Distributed tables; they need its local tables only
        // when a query reaches them, which is why the local schema goes everywhere first.
        IReadOnlyList<string> tables = distributed();
        foreach (Uri server in options.Shards.SelectMany(s => s.Replicas))
        {
            steps.AddRange(tables.Select(s => new ClusterSchemaStep(server, s)));
        }

        return steps;
    }

    /// <summary>Runs <see cref="Plan(ClickHouseOptions)"/>; a statement a server refuses throws with its message.</summary>
    public static async Task ApplyAsync(ClickHouseOptions options, CancellationToken cancellationToken)
    {
        IReadOnlyList<ClusterSchemaStep> steps = Plan(options);
        var clients = new Dictionary<Uri, ClickHouseClient>();
        try
        {
            foreach (ClusterSchemaStep step in steps)
            {
                if (!clients.TryGetValue(step.Server, out ClickHouseClient? client))
                {
                    client = ClickHouseClients.CreateClient(options, step.Server);
                    clients.Add(step.Server, client);
                }

                if (options.OnCluster)
                {
                    await OnClusterAsync(client, step.Statement, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await client.ExecuteNonQueryAsync(step.Statement, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            foreach (ClickHouseClient client in clients.Values)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>
    /// ON CLUSTER answers with a table of every server's outcome. 18.16 writes it in the URL's
    /// <c>default_format</c>, even past a FORMAT clause, and the driver's (RowBinaryWithNamesAndTypes) is
    /// unknown there; a later <c>default_format</c> parameter wins, so this one asks for TSV.
    /// </summary>
    private static async Task OnClusterAsync(ClickHouseClient client, string statement, CancellationToken cancellationToken)
    {
        var query = new QueryOptions { CustomSettings = s_onClusterSettings };
        using HttpResponseMessage response = await client.PostStreamAsync(statement, Stream.Null, isCompressed: false, cancellationToken, query).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new ClickHouseException((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
    }

    private static readonly Dictionary<string, object> s_onClusterSettings = new(StringComparer.Ordinal) { ["default_format"] = "TabSeparated" };
}
