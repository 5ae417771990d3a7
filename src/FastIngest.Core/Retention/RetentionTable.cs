namespace FastIngest.Core.Retention;

/// <summary>A MergeTree table of FastIngest's database as <c>system.tables</c> shows it.</summary>
/// <param name="Name">The table's name, without the database.</param>
/// <param name="Key">Its partition key; null when retention can't reason about it (the table is left alone).</param>
/// <param name="Ttl">Its table TTL expression as the server prints it; empty when it has none (always, on 18.16).</param>
internal sealed record RetentionTable(string Name, PartitionKey? Key, string Ttl);
