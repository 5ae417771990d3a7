using FastIngest.Core.Retention;

namespace FastIngest.Tests.Retention;

public sealed class RetentionCatalogTests
{
    [Fact]
    public void ReadsTablesTheirKeysAndTtlsFromSystemTables()
    {
        // As 18.16 and 26.7 answer (TSV: tabs between fields, quotes escaped).
        string tsv =
            "events_1m\ttoYYYYMM(minute)\tSummingMergeTree PARTITION BY toYYYYMM(minute) ORDER BY (tenant, event_type, minute, path) TTL minute + toIntervalDay(14) SETTINGS index_granularity = 8192\n" +
            "ingest_errors\ttoYYYYMM(time)\tMergeTree() PARTITION BY toYYYYMM(time) ORDER BY (time, reason) SETTINGS index_granularity = 8192\n" +
            "odd\ttuple()\tMergeTree ORDER BY x TTL x + toIntervalDay(1) SETTINGS storage_policy = \\'de\\\\fault\\'\n";

        List<RetentionTable> tables = RetentionCatalog.ParseTables(tsv);

        Assert.Equal(3, tables.Count);
        Assert.Equal(new RetentionTable("events_1m", new PartitionKey("minute", PartitionSpan.Month), "minute + toIntervalDay(14)"), tables[0]);
        Assert.Equal(new RetentionTable("ingest_errors", new PartitionKey("time", PartitionSpan.Month), ""), tables[1]);
        Assert.Null(tables[2].Key);
        Assert.Equal("x + toIntervalDay(1)", tables[2].Ttl);
    }

    [Fact]
    public void ReadsPartitionsWithTheirRows()
    {
        var partitions = RetentionCatalog.ParsePartitions("insert_ledger\t202609\t12\ntraffic_1m\t202611\t3400\n");

        Assert.Equal([("insert_ledger", "202609", 12L), ("traffic_1m", "202611", 3400L)], partitions);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData(@"a\tb", "a\tb")]
    [InlineData(@"it\'s", "it's")]
    [InlineData(@"back\\slash", @"back\slash")]
    [InlineData(@"line\nbreak", "line\nbreak")]
    public void UndoesTsvEscapes(string field, string value) =>
        Assert.Equal(value, RetentionCatalog.Unescape(field));

    [Fact]
    public void TheQueriesQuoteTheDatabaseName()
    {
        Assert.Contains("WHERE database = 'fi' AND engine LIKE '%MergeTree'", RetentionCatalog.TablesSql("fi"), StringComparison.Ordinal);
        Assert.Contains("WHERE database = 'fi' AND active", RetentionCatalog.PartitionsSql("fi"), StringComparison.Ordinal);
    }
}
