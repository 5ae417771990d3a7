using FastIngest.Core.ClickHouse;
using FastIngest.Core.ClickHouse.Cluster;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.ClickHouse.Cluster;

/// <summary>
/// The cluster's schema in modern ClickHouse's (26.7, chDB) own parser: every statement FastIngest would send,
/// directly and ON CLUSTER. chDB has no Keeper and no cluster, so it parses them (formatQuery) rather than
/// runs the Replicated and Distributed ones; the plain local schema it runs.
/// </summary>
[Collection("ModernClickHouse")]
[Trait("Category", "Integration")]
public sealed class ModernClusterSchemaTests(ModernClickHouse clickHouse)
{
    [Fact]
    public void ModernClickHouseParsesEveryStatementOfTheClusterSchema()
    {
        ClickHouseOptions options = Options(onCluster: false);
        ClickHouseOptions onCluster = Options(onCluster: true);
        var statements = ClusterSchemaApplier.Plan(options).Concat(ClusterSchemaApplier.Plan(onCluster)).Select(s => s.Statement).Distinct().ToList();
        Assert.Contains(statements, s => s.Contains("ReplicatedSummingMergeTree(", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Contains("ENGINE = Distributed(", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.Contains(" ON CLUSTER fastingest", StringComparison.Ordinal));

        foreach (string statement in statements)
        {
            string formatted = clickHouse.Query($"SELECT formatQuery({ClickHouseSql.Quote(statement)}) FORMAT TSV");
            Assert.StartsWith("CREATE ", formatted, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ModernClickHouseRunsTheLocalSchemaOfAShardOfOneServer()
    {
        string local = UniqueName.For("cl_modern") + "_local";
        foreach (string statement in ClusterSchema.Local(local, replicated: false))
        {
            clickHouse.Query(statement);
        }

        Assert.Contains("traffic_1m_in_mv_1d", clickHouse.Query($"SELECT name FROM system.tables WHERE database = '{local}' FORMAT TSV"), StringComparison.Ordinal);
    }

    private static ClickHouseOptions Options(bool onCluster)
    {
        var options = new ClickHouseOptions { OnCluster = onCluster };
        foreach (string[] replicas in new[] { new[] { "http://a:8123", "http://b:8123" }, ["http://c:8123"] })
        {
            var shard = new ClickHouseShardOptions();
            foreach (string replica in replicas)
            {
                shard.Replicas.Add(new Uri(replica));
            }

            options.Shards.Add(shard);
        }

        return options;
    }
}
