using System.Text;
using FastIngest.Core.Ingest;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;

namespace FastIngest.Tests.Ingest;

public sealed class ShardedBatchWriterTests
{
    /// <summary>The shards' side of the seam, without shards: keeps what it is handed.</summary>
    private sealed class RecordingChannels(int shardCount) : IShardChannels
    {
        public int ShardCount { get; } = shardCount;

        public ObjectPool<IngestBatch> IngestBatches { get; } = new();

        public List<(int Shard, IngestBatch Batch)> Enqueued { get; } = [];

        /// <summary>Shards whose channel is full: <see cref="TryEnqueue"/> refuses them.</summary>
        public HashSet<int> Full { get; } = [];

        public bool TryEnqueue(int shard, IngestBatch batch)
        {
            if (Full.Contains(shard))
            {
                return false;
            }

            Enqueued.Add((shard, batch));
            return true;
        }

        public ValueTask EnqueueAsync(int shard, IngestBatch batch, CancellationToken cancellationToken)
        {
            Enqueued.Add((shard, batch));
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task AddLinesRoutesEveryFramedLineToItsTenantsShard()
    {
        var channels = new RecordingChannels(shardCount: 4);
        var writer = new ShardedBatchWriter(channels, IngestSource.File);
        byte[] data = Encoding.UTF8.GetBytes("{\"a\":1}\r\n\n{\"b\":2}\n{\"c\":");

        int consumed = writer.AddLines(MessageKind.NginxJson, "acme"u8, data, final: false, arrivedAt: 7, out int added);
        await writer.FlushAsync();

        Assert.Equal(2, added);
        Assert.Equal(18, consumed);
        (int shard, IngestBatch batch) = Assert.Single(channels.Enqueued);
        Assert.Equal(TenantRouting.ShardOf("acme"u8, 4, TenantRouting.ProcessSeed), shard);
        Assert.Equal(IngestSource.File, batch.Source);
        Assert.Equal(2, batch.Count);
        Assert.Equal("{\"a\":1}\r", Encoding.UTF8.GetString(batch.Body(in batch.Entries[0])));
        Assert.Equal("{\"b\":2}", Encoding.UTF8.GetString(batch.Body(in batch.Entries[1])));
        Assert.Equal(7u, batch.Entries[1].ArrivedAt);
    }

    [Fact]
    public void AddLinesSkipsLinesBeforeTheOffsetButConsumesThem()
    {
        var channels = new RecordingChannels(shardCount: 1);
        var writer = new ShardedBatchWriter(channels, IngestSource.File);

        int consumed = writer.AddLines(MessageKind.CombinedLog, "acme"u8, "one\ntwo\nthree"u8, final: true, arrivedAt: 0, out int added, skipBefore: 4);

        Assert.Equal(2, added);
        Assert.Equal(13, consumed);
        Assert.True(writer.HasPending);
    }

    [Fact]
    public async Task ASpreadingWriterHandsOneTenantsBatchesToEveryShardInTurnSkippingFullOnes()
    {
        var channels = new RecordingChannels(shardCount: 3);
        var writer = new ShardedBatchWriter(channels, IngestSource.File, spread: true);
        byte[] line = new byte[IngestBatch.DefaultBufferSize / 4];
        line.AsSpan().Fill((byte)'x');

        // Four lines fill a batch less the tenant's bytes: each batch holds three.
        for (int i = 0; i < 9; i++)
        {
            writer.Add(MessageKind.NginxJson, RejectReason.None, "acme"u8, line, 7);
        }

        Assert.Equal([0, 1], channels.Enqueued.Select(e => e.Shard));
        channels.Full.Add(0);
        for (int i = 0; i < 6; i++)
        {
            writer.Add(MessageKind.NginxJson, RejectReason.None, "acme"u8, line, 7);
        }

        // Shard 0 full: its turn goes to the next shard with room.
        Assert.Equal([0, 1, 2, 1], channels.Enqueued.Select(e => e.Shard));
        Assert.False(writer.HasSetAside);

        // Every shard full: set aside, handed over (waiting) by the next flush.
        channels.Full.UnionWith([1, 2]);
        for (int i = 0; i < 3; i++)
        {
            writer.Add(MessageKind.NginxJson, RejectReason.None, "acme"u8, line, 7);
        }

        Assert.True(writer.HasSetAside);
        Assert.False(writer.TryAdd(MessageKind.NginxJson, "acme"u8, line, 7) && writer.TryAdd(MessageKind.NginxJson, "acme"u8, line, 7) && writer.TryAdd(MessageKind.NginxJson, "acme"u8, line, 7) && writer.TryAdd(MessageKind.NginxJson, "acme"u8, line, 7));
        await writer.FlushAsync();

        Assert.False(writer.HasPending);
        Assert.Equal(18, channels.Enqueued.Sum(e => e.Batch.Count));
        Assert.All(channels.Enqueued, e => Assert.All(e.Batch.Entries.ToArray(), entry => Assert.Equal(4, entry.TenantLength)));
    }
}
