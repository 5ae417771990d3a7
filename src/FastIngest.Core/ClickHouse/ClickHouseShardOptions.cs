namespace FastIngest.Core.ClickHouse;

/// <summary>One shard of <c>FastIngest:ClickHouse:Shards</c>: its replicas' HTTP interfaces.</summary>
public sealed class ClickHouseShardOptions
{
    /// <summary>
    /// The replicas' URLs, e.g. <c>http://10.0.0.1:8123</c>. The shard's sink writes to the first and moves
    /// to the next on a connection failure; they share the first one's path, user and password. More than one makes the shard's tables
    /// <c>Replicated*MergeTree</c>, which needs ZooKeeper or ClickHouse Keeper on those servers.
    /// </summary>
    public List<Uri> Replicas { get; set; } = [];
}
