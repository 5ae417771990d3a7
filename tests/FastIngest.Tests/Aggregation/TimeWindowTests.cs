using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

/// <summary>
/// Live doors count request times within <c>[arrival − MaxLateness, arrival + MaxAhead]</c>; the rest is
/// <c>time_out_of_range</c> (issue 13, item 3). The import's pipeline counts any age.
/// </summary>
public sealed class TimeWindowTests
{
    private const uint Arrived = 1_795_400_000; // the second the door stamped
    private const long NowMs = Arrived * 1000L;
    private static readonly TimeSpan s_lateness = TimeSpan.FromDays(2);
    private static readonly TimeSpan s_ahead = TimeSpan.FromMinutes(5);

    private static (IngestPipeline Pipeline, CollectingSink Sink) NewPipeline(bool anyAge = false)
    {
        var sink = new CollectingSink();
        var options = new AggregationOptions { Shards = 1, MaxLateness = s_lateness, MaxAhead = s_ahead };
        return (new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance, anyAge: anyAge), sink);
    }

    private static string Line(long msec, long bytes = 100) =>
        new NginxLineBuilder().Msec(msec).Set("status", 200).Set("bytes_sent", bytes).Set("body_bytes_sent", bytes / 2).RequestTime(120).Set("uri", "/a").ToJson();

    private static async Task<CollectingSink> CountAsync(bool anyAge, params long[] times)
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(anyAge);
        IngestBatch batch = pipeline.IngestBatches.Rent();
        byte[] tenant = "acme"u8.ToArray();
        foreach (long msec in times)
        {
            batch.Add(MessageKind.NginxJson, RejectReason.None, System.IO.Hashing.XxHash3.HashToUInt64(tenant), tenant, Encoding.UTF8.GetBytes(Line(msec)), Arrived);
        }

        pipeline.Shards[0].Process(batch);
        await pipeline.Shards[0].FlushAsync(CancellationToken.None);
        return sink;
    }

    private static ulong Requests(CollectingSink sink) => (ulong)sink.Traffic.Sum(r => (long)r.Counters.Requests);

    private static ulong OutOfRange(CollectingSink sink) =>
        (ulong)sink.Errors.Where(e => e.Reason == "time_out_of_range").Sum(e => (long)e.Count);

    [Fact]
    public async Task ExactlyMaxLatenessOldIsCountedAndOneMillisecondOlderIsRefused()
    {
        long edge = NowMs - (long)s_lateness.TotalMilliseconds;

        Assert.Equal(1UL, Requests(await CountAsync(false, edge)));
        CollectingSink refused = await CountAsync(false, edge - 1);
        Assert.Equal(0UL, Requests(refused));
        Assert.Equal(1UL, OutOfRange(refused));
    }

    [Fact]
    public async Task ExactlyMaxAheadIsCountedAndOneMillisecondLaterIsRefused()
    {
        long edge = NowMs + (long)s_ahead.TotalMilliseconds;

        Assert.Equal(1UL, Requests(await CountAsync(false, edge)));
        CollectingSink refused = await CountAsync(false, edge + 1);
        Assert.Equal(0UL, Requests(refused));
        Assert.Equal(1UL, OutOfRange(refused));
    }

    [Fact]
    public async Task RefusedTimesChangeNoSumAndCountUnderTheirArrivalMinute()
    {
        long msec1970 = 1;
        long msec1974 = new DateTimeOffset(1974, 5, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        long msec2076 = new DateTimeOffset(2076, 5, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        CollectingSink alone = await CountAsync(false, NowMs - 1000, NowMs);
        CollectingSink mixed = await CountAsync(false, msec1970, NowMs - 1000, msec1974, NowMs, msec2076);

        // Same rows, same minutes, same sums: nothing of the refused lines is in them.
        Assert.Equal(alone.Traffic.Select(r => (r.Minute, CounterText.Of(r.Counters))), mixed.Traffic.Select(r => (r.Minute, CounterText.Of(r.Counters))));
        Assert.Equal(alone.Statuses.Count, mixed.Statuses.Count);
        Assert.Equal(alone.Paths.Sum(p => (long)p.Counters.Requests), mixed.Paths.Sum(p => (long)p.Counters.Requests));
        Assert.Equal(3UL, OutOfRange(mixed));
        Assert.All(mixed.Errors, e => Assert.Equal(Arrived / 60 * 60, e.Time / 60 * 60));
    }

    [Fact]
    public async Task TheImportsPipelineCountsHistoryOfAnyAge()
    {
        long msec2020 = new DateTimeOffset(2020, 3, 1, 8, 30, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        CollectingSink sink = await CountAsync(true, 1, msec2020, NowMs + 86_400_000);

        Assert.Equal(3UL, Requests(sink));
        Assert.Empty(sink.Errors);
    }

    [Fact]
    public async Task PixelHitsAndEventsOutsideTheWindowAreRefusedToo()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline();
        IngestBatch batch = pipeline.IngestBatches.Rent();
        batch.Source = IngestSource.Http;
        byte[] tenant = "acme"u8.ToArray();
        ulong hash = System.IO.Hashing.XxHash3.HashToUInt64(tenant);
        var buffer = new byte[PixelHit.MaxEncodedLength];
        foreach (long ms in new[] { NowMs, 1L })
        {
            int length = new PixelHit { TimestampMs = ms, CountVisitor = true, Key = "home"u8.ToArray(), Address = "192.0.2.1"u8.ToArray(), UserAgent = "x"u8.ToArray() }.Encode(buffer);
            batch.Add(MessageKind.PixelHit, RejectReason.None, hash, tenant, buffer.AsSpan(0, length), Arrived);
        }

        var message = new byte[4096];
        foreach (long ms in new[] { NowMs, NowMs + 3_600_000 })
        {
            int length = new EventMessage { TimestampMs = ms, EventType = "signup"u8.ToArray(), Path = "/a"u8.ToArray() }.Encode(message);
            batch.Add(MessageKind.Event, RejectReason.None, hash, tenant, message.AsSpan(0, length), Arrived);
        }

        pipeline.Shards[0].Process(batch);
        await pipeline.Shards[0].FlushAsync(CancellationToken.None);

        Assert.Equal(1UL, (ulong)sink.Pixels.Sum(p => (long)p.Hits));
        Assert.Equal(1UL, (ulong)sink.Events.Sum(e => (long)e.Events));
        Assert.Equal(2UL, OutOfRange(sink));
        Assert.Equal(2, pipeline.Shards[0].RejectsOf(IngestSource.Http, RejectReason.TimeOutOfRange));
    }
}
