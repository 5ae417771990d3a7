namespace FastIngest.Core.ClickHouse;

/// <summary>One shard of <see cref="ClickHouseOptions.Shards"/>: the HTTP URLs of its replicas.</summary>
public sealed class ClickHouseShardOptions
{
    /// <summary>
    /// The shard's replicas (<c>Shards:0:Replicas:0=http://10.0.0.1:8123</c>). More than one makes its tables
    /// <c>Replicated*MergeTree</c>, which needs ZooKeeper or ClickHouse Keeper on those servers.
    /// </summary>
    public IList<Uri> Replicas { get; } = [];
}
