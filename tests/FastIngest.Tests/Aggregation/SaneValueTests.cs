using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

/// <summary>
/// Values no real request has (bytes over 2^40, a request time over a day, a status outside 100–599)
/// are refused, never added: 18-digit values used to wrap a tenant's UInt64 sums (issue 13, item 6).
/// </summary>
public sealed class SaneValueTests
{
    private const long Msec = 1_795_390_920_000;
    private const uint Arrived = 1_795_391_000;

    private static async Task<CollectingSink> CountAsync(MessageKind kind, params string[] lines)
    {
        var sink = new CollectingSink();
        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 1 }, sink, sink.Pool, NullLogger.Instance);
        IngestBatch batch = pipeline.IngestBatches.Rent();
        byte[] tenant = "acme"u8.ToArray();
        foreach (string line in lines)
        {
            batch.Add(kind, RejectReason.None, System.IO.Hashing.XxHash3.HashToUInt64(tenant), tenant, Encoding.UTF8.GetBytes(line), Arrived);
        }

        pipeline.Shards[0].Process(batch);
        await pipeline.Shards[0].FlushAsync(CancellationToken.None);
        return sink;
    }

    private static NginxLineBuilder Normal() =>
        new NginxLineBuilder().Msec(Msec).Set("status", 200).Set("bytes_sent", 1000).Set("body_bytes_sent", 800).RequestTime(50).Set("uri", "/a");

    private static string Combined(int status, string bytes) =>
        $"192.0.2.1 - - [22/Nov/2026:23:42:00 +0000] \"GET /a HTTP/1.1\" {status} {bytes} \"-\" \"curl/8\"";

    [Fact]
    public async Task EighteenDigitValuesAreRefusedAndLeaveEverySumAsItWas()
    {
        string normal = Normal().ToJson();
        CollectingSink alone = await CountAsync(MessageKind.NginxJson, normal, normal);
        CollectingSink mixed = await CountAsync(MessageKind.NginxJson,
            normal,
            Normal().Set("bytes_sent", 999_999_999_999_999_999).ToJson(),
            Normal().Set("body_bytes_sent", (1L << 40) + 1).ToJson(),
            Normal().Set("request_time", "86400.001").ToJson(),
            Normal().Set("status", 600).ToJson(),
            Normal().Set("status", 99).ToJson(),
            normal);

        Assert.Equal(alone.Traffic.Select(r => CounterText.Of(r.Counters)), mixed.Traffic.Select(r => CounterText.Of(r.Counters)));
        Assert.Equal(alone.Paths.Select(p => p.Counters), mixed.Paths.Select(p => p.Counters));
        Assert.Equal(2UL, mixed.Traffic.Single().Counters.Requests);
        Assert.Equal(3UL, (ulong)mixed.Errors.Where(e => e.Reason == "invalid_number").Sum(e => (long)e.Count));
        Assert.Equal(2UL, (ulong)mixed.Errors.Where(e => e.Reason == "invalid_status").Sum(e => (long)e.Count));
    }

    [Fact]
    public async Task TheLargestRealValuesStillAddUp()
    {
        CollectingSink sink = await CountAsync(MessageKind.NginxJson,
            Normal().Set("bytes_sent", 1L << 40).Set("body_bytes_sent", 1L << 40).Set("request_time", "86400.000").ToJson(),
            Normal().Set("bytes_sent", 1L << 40).Set("body_bytes_sent", 1L << 40).Set("request_time", "86400.000").ToJson());

        Core.Sinks.TrafficCounters counters = sink.Traffic.Single().Counters;
        Assert.Equal((2UL << 40, 2UL << 40, 2UL * 86_400_000), (counters.BytesSent, counters.BodyBytesSent, counters.RequestTimeSumMs));
        Assert.Empty(sink.Errors);
    }

    [Fact]
    public async Task CombinedLinesWithATerabyteBodyAreRefused()
    {
        CollectingSink sink = await CountAsync(MessageKind.CombinedLog,
            Combined(200, "1099511627776"),
            Combined(200, "1099511627777"),
            Combined(200, "999999999999999999"),
            Combined(600, "10"));

        Assert.Equal(1UL << 40, sink.Traffic.Single().Counters.BodyBytesSent);
        Assert.Equal(1UL, sink.Traffic.Single().Counters.Requests);
        Assert.Equal(["invalid_number", "invalid_number", "invalid_status"], sink.Errors.Where(e => e.Sample.Length > 0).Select(e => e.Reason).Order());
    }
}
