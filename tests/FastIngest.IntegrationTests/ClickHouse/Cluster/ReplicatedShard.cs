using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.ClickHouse.Cluster;

/// <summary>A private ZooKeeper and one shard of two private 18.16 replicas (cluster <c>fastingest</c>).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync")]
public sealed class ReplicatedShard : IAsyncLifetime
{
    private PrivateZooKeeper? _zooKeeper;
    private PrivateClickHouseCluster? _cluster;

    public PrivateClickHouseCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _zooKeeper = await PrivateZooKeeper.StartAsync();
        _cluster = await PrivateClickHouseCluster.StartAsync([2], _zooKeeper);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_zooKeeper is not null)
        {
            await _zooKeeper.DisposeAsync();
        }
    }
}
