using System.Text;
using FastIngest.Core.ClickHouse.Cluster;

namespace FastIngest.Tests.ClickHouse.Cluster;

/// <summary>The reference SQL of clickhouse/cluster/, rendered from <see cref="ClusterSchema"/> with the default names.</summary>
internal static class ClusterSqlFiles
{
    public static string Folder { get; } = Path.Combine(RepositoryRoot(), "clickhouse", "cluster");

    public static string Render(string file)
    {
        (IReadOnlyList<string> statements, string what) = file switch
        {
            "local.sql" => (ClusterSchema.Local("fastingest_local", replicated: false),
                "The local schema of a shard with one server: every table, door and view, plain engines."),
            "local-replicated.sql" => (ClusterSchema.Local("fastingest_local", replicated: true),
                "The local schema of a shard with replicas: Replicated*MergeTree (needs ZooKeeper or Keeper, and the\n-- servers' {shard} and {replica} macros)."),
            "distributed.sql" => (ClusterSchema.Distributed("fastingest", "fastingest", "fastingest_local"),
                "On every server: a Distributed table per stored table, where every read goes."),
            _ => throw new ArgumentOutOfRangeException(nameof(file), file, null),
        };

        var text = new StringBuilder();
        text.Append("-- GENERATED from clickhouse/schema.sql by FastIngest.Core/ClickHouse/Cluster/ClusterSchema.cs; do not edit.\n")
            .Append("-- ").Append(what).Append('\n')
            .Append("-- Database fastingest, LocalDatabase fastingest_local, Cluster fastingest (FastIngest:ClickHouse's defaults).\n")
            .Append("-- FastIngest applies this itself (see README.md); the file is for reading and for clickhouse-client.\n");
        foreach (string statement in statements)
        {
            text.Append('\n').Append(statement.ReplaceLineEndings("\n")).Append(";\n");
        }

        return text.ToString();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FastIngest.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("FastIngest.sln not found above " + AppContext.BaseDirectory);
    }
}
