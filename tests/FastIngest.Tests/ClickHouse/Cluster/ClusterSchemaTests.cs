using FastIngest.Core.ClickHouse.Cluster;
using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Tests.ClickHouse.Cluster;

public sealed class ClusterSchemaTests
{
    private const string Local = "fastingest_local";

    /// <summary>Set to 1 to rewrite clickhouse/cluster/*.sql from the code instead of comparing.</summary>
    private const string UpdateVariable = "FASTINGEST_UPDATE_CLUSTER_SQL";

    private static readonly IReadOnlyList<string> s_source = SchemaMigrator.Statements(Local);

    public static TheoryData<string> CommittedFiles => ["local.sql", "local-replicated.sql", "distributed.sql"];

    [Theory]
    [MemberData(nameof(CommittedFiles))]
    public void CommittedClusterSqlIsWhatTheCodeGenerates(string file)
    {
        string generated = ClusterSqlFiles.Render(file);
        string path = Path.Combine(ClusterSqlFiles.Folder, file);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), $"{path} is missing: run {UpdateVariable}=1 dotnet test tests/FastIngest.Tests --filter ClusterSchemaTests");
        Assert.True(
            generated == File.ReadAllText(path).ReplaceLineEndings("\n"),
            $"clickhouse/cluster/{file} differs from what ClusterSchema derives from clickhouse/schema.sql: run {UpdateVariable}=1 dotnet test tests/FastIngest.Tests -c Release --filter ClusterSchemaTests, and commit it");
    }

    [Fact]
    public void TheLocalSchemaIsTheWholeSchemaInTheLocalDatabase()
    {
        Assert.Equal(s_source, ClusterSchema.Local(Local, replicated: false));
        Assert.All(ClusterSchema.Local(Local, replicated: false), s => Assert.DoesNotContain("fastingest.", s, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryStoredTableIsReplicatedUnderItsOwnPathAndNothingElseChanges()
    {
        IReadOnlyList<string> replicated = ClusterSchema.Local(Local, replicated: true);
        Assert.Equal(s_source.Count, replicated.Count);
        for (int i = 0; i < s_source.Count; i++)
        {
            SchemaStatement source = SchemaStatement.Parse(s_source[i], Local);
            if (source.Kind != SchemaStatementKind.StoredTable)
            {
                Assert.Equal(s_source[i], replicated[i]);
                continue;
            }

            Assert.Contains($"MergeTree('/clickhouse/tables/{{shard}}/{Local}/{source.Name}', '{{replica}}')", replicated[i], StringComparison.Ordinal);
            Assert.Matches(@"ENGINE = Replicated(Summing|Aggregating)?MergeTree\(", replicated[i]);
            Assert.Equal(source.Columns, SchemaStatement.Parse(replicated[i], Local).Columns);
        }

        Assert.Contains(replicated, s => s.Contains("ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/fastingest_local/traffic_1m', '{replica}')\nPARTITION BY toYYYYMM(minute)", StringComparison.Ordinal));
        Assert.Contains(replicated, s => s.Contains("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/fastingest_local/insert_ledger', '{replica}')", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryStoredTableGetsADistributedTableOfTheSameNameAndColumnsButNoDoorOrView()
    {
        IReadOnlyList<string> distributed = ClusterSchema.Distributed("fastingest", "fastingest", Local);
        var stored = s_source.Select(s => SchemaStatement.Parse(s, Local)).Where(s => s.Kind == SchemaStatementKind.StoredTable).ToList();
        Assert.Equal("CREATE DATABASE IF NOT EXISTS fastingest", distributed[0]);
        Assert.Equal(stored.Count, distributed.Count - 1);
        for (int i = 0; i < stored.Count; i++)
        {
            SchemaStatement table = SchemaStatement.Parse(distributed[i + 1], "fastingest");
            Assert.Equal(stored[i].Name, table.Name);
            Assert.Equal(stored[i].Columns, table.Columns);
            Assert.EndsWith($"ENGINE = Distributed(fastingest, {Local}, {table.Name})", distributed[i + 1], StringComparison.Ordinal);
        }

        Assert.Contains(stored, s => s.Name == "traffic_1m");
        Assert.Contains(stored, s => s.Name == "insert_ledger");
        Assert.DoesNotContain(distributed, s => s.Contains("_in\n", StringComparison.Ordinal) || s.Contains("MATERIALIZED", StringComparison.Ordinal));
    }

    [Fact]
    public void ATableAppendedToTheSchemaIsDerivedWithoutAnyChange()
    {
        // What issue 18's agents_1d looks like, with an engine taking arguments that must survive.
        IReadOnlyList<string> statements = SchemaMigrator.Split(
            """
            CREATE DATABASE IF NOT EXISTS fastingest;
            CREATE TABLE IF NOT EXISTS fastingest.agents_1d
            (
                tenant String,
                day Date,
                class Enum8('bot(s)' = 1, 'human' = 2),
                ver UInt64
            )
            ENGINE = ReplacingMergeTree(ver)
            ORDER BY (tenant, day);
            CREATE TABLE IF NOT EXISTS fastingest.agents_1d_in (tenant String, day Date, class String, ver UInt64, insert_id UInt64) ENGINE = Null;
            CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest.agents_1d_in_mv TO fastingest.agents_1d
            AS SELECT tenant, day, class, ver FROM fastingest.agents_1d_in;
            """,
            Local);

        IReadOnlyList<string> replicated = ClusterSchema.Local(statements, Local, replicated: true);
        Assert.Contains("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/fastingest_local/agents_1d', '{replica}', ver)\nORDER BY (tenant, day)", replicated[1], StringComparison.Ordinal);
        Assert.Equal(statements[2], replicated[2]);
        Assert.Equal(statements[3], replicated[3]);

        IReadOnlyList<string> distributed = ClusterSchema.Distributed(statements, "fastingest", "fastingest", Local);
        Assert.Equal(2, distributed.Count);
        Assert.Equal(
            "CREATE TABLE IF NOT EXISTS fastingest.agents_1d\n(\n    tenant String,\n    day Date,\n    class Enum8('bot(s)' = 1, 'human' = 2),\n    ver UInt64\n)\nENGINE = Distributed(fastingest, fastingest_local, agents_1d)",
            distributed[1].ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("ALTER TABLE fastingest_local.traffic_1m ADD COLUMN x UInt8")]
    [InlineData("CREATE TABLE fastingest_local.t (a UInt8) ENGINE = Log")]
    [InlineData("CREATE TABLE IF NOT EXISTS other.t (a UInt8) ENGINE = MergeTree() ORDER BY a")]
    [InlineData("CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest_local.v ENGINE = MergeTree() ORDER BY a AS SELECT 1 AS a")]
    public void AStatementTheClusterSchemaCannotPlaceStopsTheDerivation(string statement) =>
        Assert.Throws<NotSupportedException>(() => ClusterSchema.Local([statement], Local, replicated: false));

    [Theory]
    [InlineData("CREATE DATABASE IF NOT EXISTS fastingest_local", "CREATE DATABASE IF NOT EXISTS fastingest_local ON CLUSTER c1")]
    [InlineData("CREATE TABLE IF NOT EXISTS db.t\n(a UInt8)\nENGINE = Null", "CREATE TABLE IF NOT EXISTS db.t ON CLUSTER c1\n(a UInt8)\nENGINE = Null")]
    [InlineData("CREATE MATERIALIZED VIEW IF NOT EXISTS db.v TO db.t\nAS SELECT 1", "CREATE MATERIALIZED VIEW IF NOT EXISTS db.v ON CLUSTER c1 TO db.t\nAS SELECT 1")]
    public void OnClusterFollowsTheObjectsName(string statement, string expected) =>
        Assert.Equal(expected, ClusterSchema.OnCluster(statement, "c1"));
}
