using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.ClickHouse.Cluster;

/// <summary>Two private 18.16 servers as the two shards (one replica each) of cluster <c>fastingest</c>; no ZooKeeper.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync")]
public sealed class TwoShards : IAsyncLifetime
{
    private PrivateClickHouseCluster? _cluster;

    public PrivateClickHouseCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _cluster = await PrivateClickHouseCluster.StartAsync([1, 1]);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
