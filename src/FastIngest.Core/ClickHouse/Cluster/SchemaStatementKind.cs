namespace FastIngest.Core.ClickHouse.Cluster;

/// <summary>What a statement of schema.sql creates, which decides where it goes in a cluster.</summary>
internal enum SchemaStatementKind
{
    /// <summary><c>CREATE DATABASE</c>.</summary>
    Database,

    /// <summary>A table that keeps rows: local per shard, and a Distributed table over it.</summary>
    StoredTable,

    /// <summary>A write door (<c>ENGINE = Null</c>): local only, FastIngest writes to a shard's doors itself.</summary>
    Door,

    /// <summary>A materialized view: local only, it runs on the server the rows land on.</summary>
    MaterializedView,
}
