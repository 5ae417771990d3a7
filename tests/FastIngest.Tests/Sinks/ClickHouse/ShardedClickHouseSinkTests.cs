using System.Text;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Core.Sinks.Spool;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Sinks.ClickHouse;

public sealed class ShardedClickHouseSinkTests
{
    // Nothing listens on these ports: every shard spools, as during an outage.
    private static ClickHouseOptions TwoUnreachableShards() => new()
    {
        Shards =
        [
            new ClickHouseShardOptions { Replicas = [new Uri($"http://127.0.0.1:{FreePorts.Tcp()}")] },
            new ClickHouseShardOptions { Replicas = [new Uri($"http://127.0.0.1:{FreePorts.Tcp()}"), new Uri($"http://127.0.0.1:{FreePorts.Tcp()}")] },
        ],
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
    };

    private static FlushBatch TrafficOf(ObjectPool<FlushBatch> pool, params string[] tenants)
    {
        FlushBatch batch = pool.Rent();
        foreach (string tenant in tenants)
        {
            batch.Traffic.Add(new TrafficRow(Encoding.UTF8.GetBytes(tenant), 1_764_000_000 / 60 * 60, new TrafficCounters { Requests = 5 }));
            batch.Lines += 5;
        }

        return batch;
    }

    [Fact]
    public async Task EachShardSpoolsItsOwnTenantsInItsOwnFolderAndABarrierWaitsForEveryShard()
    {
        using var state = new TempFolder("sharded-sink");
        var pool = new ObjectPool<FlushBatch>();
        ClickHouseOptions options = TwoUnreachableShards();
        await using ShardedClickHouseSink sink = ShardedClickHouseSink.ForCluster(
            options, new SpoolOptions { Directory = Path.Combine(state.Path, "spool") }, pool, NullLoggerFactory.Instance);
        await sink.StartAsync(CancellationToken.None);

        // t1 hashes to shard 0, t0 and t4 to shard 1 (ShardSplitterTests pins the values).
        FlushBatch batch = TrafficOf(pool, "t0", "t1", "t4");
        var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        batch.Barriers.Add(barrier);
        await sink.WriteAsync(batch, CancellationToken.None);
        await barrier.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Path.Combine(state.Path, "spool", "shard-0"), sink.Shards[0].Spool.Directory);
        Assert.Equal(Path.Combine(state.Path, "spool", "shard-1"), sink.Shards[1].Spool.Directory);
        Assert.Equal((1, 1), (sink.Shards[0].Spool.Records, sink.Shards[1].Spool.Records));
        Assert.Equal(2, sink.SpoolRecords);
        Assert.Equal("spool 2", $"spool {sink.RoundsSpooled}");
    }

    [Fact]
    public async Task ABatchOfOneShardsTenantsSpoolsNothingOnTheOther()
    {
        using var state = new TempFolder("sharded-sink");
        var pool = new ObjectPool<FlushBatch>();
        await using ShardedClickHouseSink sink = ShardedClickHouseSink.ForCluster(
            TwoUnreachableShards(), new SpoolOptions { Directory = Path.Combine(state.Path, "spool") }, pool, NullLoggerFactory.Instance);
        await sink.StartAsync(CancellationToken.None);

        // Both shard 0's: shard 1 gets an empty piece (with the barrier) and spools nothing.
        FlushBatch batch = TrafficOf(pool, "t1", "t2");
        var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        batch.Barriers.Add(barrier);
        await sink.WriteAsync(batch, CancellationToken.None);
        await barrier.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((1, 0), (sink.Shards[0].Spool.Records, sink.Shards[1].Spool.Records));
    }
}
