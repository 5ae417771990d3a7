using FastIngest.Core.ClickHouse;
using FastIngest.Core.ClickHouse.Cluster;

namespace FastIngest.Tests.ClickHouse.Cluster;

public sealed class ClusterSchemaApplierTests
{
    private static readonly Uri s_a = new("http://10.0.0.1:8123");
    private static readonly Uri s_b = new("http://10.0.0.2:8123");
    private static readonly Uri s_c = new("http://10.0.0.3:8123");

    [Fact]
    public void EachShardGetsTheLocalSchemaItsReplicasNeedThenEveryServerTheDistributedTables()
    {
        ClickHouseOptions options = Options(onCluster: false, [s_a, s_b], [s_c]);
        IReadOnlyList<ClusterSchemaStep> steps = ClusterSchemaApplier.Plan(options, Local, Distributed);

        Assert.Equal(
            [
                $"{s_a} local replicated", $"{s_b} local replicated", $"{s_c} local plain",
                $"{s_a} distributed", $"{s_b} distributed", $"{s_c} distributed",
            ],
            steps.Select(s => $"{s.Server} {s.Statement}"));
    }

    [Fact]
    public void OnClusterSendsEachStatementOnceThroughTheFirstServer()
    {
        ClickHouseOptions options = Options(onCluster: true, [s_a], [s_b, s_c]);
        options.Cluster = "edge";
        IReadOnlyList<ClusterSchemaStep> steps = ClusterSchemaApplier.Plan(options);

        Assert.All(steps, s => Assert.Equal(s_a, s.Server));
        Assert.All(steps, s => Assert.Contains(" ON CLUSTER edge", s.Statement, StringComparison.Ordinal));
        Assert.Equal(
            ClusterSchema.Local("fastingest_local", replicated: true).Count + ClusterSchema.Distributed("fastingest", "edge", "fastingest_local").Count,
            steps.Count);
        Assert.Contains(steps, s => s.Statement.Contains("ReplicatedSummingMergeTree(", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.Statement.EndsWith("ENGINE = Distributed(edge, fastingest_local, traffic_1m)", StringComparison.Ordinal));
    }

    [Fact]
    public void OneServerHasNoClusterSchemaToApply() =>
        Assert.Throws<InvalidOperationException>(() => ClusterSchemaApplier.Plan(new ClickHouseOptions()));

    private static IReadOnlyList<string> Local(bool replicated) => [replicated ? "local replicated" : "local plain"];

    private static IReadOnlyList<string> Distributed() => ["distributed"];

    private static ClickHouseOptions Options(bool onCluster, params Uri[][] shards)
    {
        var options = new ClickHouseOptions { OnCluster = onCluster };
        foreach (Uri[] replicas in shards)
        {
            var shard = new ClickHouseShardOptions();
            foreach (Uri replica in replicas)
            {
                shard.Replicas.Add(replica);
            }

            options.Shards.Add(shard);
        }

        return options;
    }
}
