using System.Buffers;
using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Server.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Events;

/// <summary>The barrier an idempotent <c>/ingest</c> waits for: it finds the request's events written, and coalesces.</summary>
public sealed class DurabilityBarrierTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EveryWaiterThatArrivesDuringARoundSharesTheNextOne()
    {
        var sink = new GatedSink();
        // One shard and no timed flush during the test: every write is a round the barrier forced.
        using var pipeline = new IngestPipeline(new AggregationOptions { Shards = 1, FlushInterval = TimeSpan.FromHours(1) }, sink, sink.Pool, NullLogger.Instance);
        pipeline.Start();
        var barrier = new DurabilityBarrier(pipeline);

        Task first = barrier.WaitAsync();
        await Eventually.TrueAsync(() => sink.Writes == 1, s_timeout, "the first round to reach the sink");
        Task[] waiting = Enumerable.Range(0, 100).Select(_ => barrier.WaitAsync()).ToArray();
        sink.Open();
        await first.WaitAsync(s_timeout);
        await Task.WhenAll(waiting).WaitAsync(s_timeout);

        // A hundred requests, one more forced flush.
        Assert.Equal(2, sink.Writes);
        await pipeline.StopAsync();
    }

    [Fact]
    public async Task ABarrierAfterACommitFindsTheCommittedEventsWritten()
    {
        var sink = new GatedSink();
        sink.Open();
        using var pipeline = new IngestPipeline(new AggregationOptions { Shards = 2, FlushInterval = TimeSpan.FromHours(1) }, sink, sink.Pool, NullLogger.Instance);
        pipeline.Start();
        var barrier = new DurabilityBarrier(pipeline);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var batch = new EventBatch(64 * 1024, tenant: null, now);
        for (int i = 0; i < 300; i++)
        {
            byte[] json = Encoding.UTF8.GetBytes($$"""{"site_id":"s{{i % 5}}","event_type":"page_view","path":"/"}""");
            Assert.Equal(Core.Parsing.Events.EventError.None, batch.Add(new ReadOnlySequence<byte>(json), i + 1));
        }

        await batch.CommitInOrderAsync(pipeline.CreateWriter(IngestSource.Http), (uint)(now / 1000));
        await barrier.WaitAsync().WaitAsync(s_timeout);

        Assert.Equal(300, sink.Events);
        await pipeline.StopAsync();
    }
}
