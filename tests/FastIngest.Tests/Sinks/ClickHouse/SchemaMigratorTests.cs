using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Tests.Sinks.ClickHouse;

public sealed class SchemaMigratorTests
{
    [Fact]
    public void SplitsTheEmbeddedSchemaIntoStatementsWithoutComments()
    {
        IReadOnlyList<string> statements = SchemaMigrator.Statements("fastingest");
        Assert.Equal("CREATE DATABASE IF NOT EXISTS fastingest", statements[0]);
        Assert.Contains(statements, s => s.StartsWith("CREATE TABLE IF NOT EXISTS fastingest.traffic_1m", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.StartsWith("CREATE TABLE IF NOT EXISTS fastingest.status_1m", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.StartsWith("CREATE TABLE IF NOT EXISTS fastingest.ingest_errors", StringComparison.Ordinal));
        Assert.All(statements, s => Assert.DoesNotContain("--", s, StringComparison.Ordinal));
        Assert.All(statements, s => Assert.False(s.EndsWith(';')));
    }

    [Fact]
    public void RenamesTheDatabaseButNotColumnsOrComments()
    {
        IReadOnlyList<string> statements = SchemaMigrator.Split(
            "-- fastingest notes\nCREATE DATABASE IF NOT EXISTS fastingest;\nCREATE TABLE fastingest.t (fastingest_id UInt8) ENGINE = Log;\n", "tenant_db");
        Assert.Equal(["CREATE DATABASE IF NOT EXISTS tenant_db", "CREATE TABLE tenant_db.t (fastingest_id UInt8) ENGINE = Log"], statements);
    }
}
