using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Formats;
using FastIngest.Server.Syslog;
using FastIngest.Tests.Aggregation;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Syslog;

/// <summary>A tag mapped to a custom format: its messages are read with it, every other tag's detected (JSON or combined), all through one pipeline.</summary>
public sealed class CustomFormatSyslogTests
{
    private static readonly LogFormats s_formats = new([
        LogFormatCompiler.Compile("main", """'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_cache_status $bytes_sent'"""),
        LogFormatCompiler.Compile("other", "'$msec $status'"),
    ]);

    [Fact]
    public async Task AMappedTagIsReadWithItsFormatAndOthersAreDetected()
    {
        var sink = new CollectingSink();
        var pipeline = new IngestPipeline(new AggregationOptions { Shards = 2 }, sink, sink.Pool, NullLogger.Instance, anyAge: true, formats: s_formats);
        var tags = new SyslogFormats(new Dictionary<string, string> { ["shop"] = "main", ["api"] = "OTHER" }, s_formats);
        pipeline.Start();
        ShardedBatchWriter writer = pipeline.CreateWriter(IngestSource.Udp);
        string main = """192.0.2.1 - - [22/Nov/2026:23:42:25 +0000] "GET /a?x HTTP/1.1" 200 100 "-" "curl/8" 0.250 HIT 300""";
        string json = new NginxLineBuilder().Msec(1_795_390_945_000).Set("status", 404).Set("bytes_sent", 7).ToJson();
        Add(writer, tags, "shop", main);
        Add(writer, tags, "shop", main.Replace(" 200 ", " 503 ", StringComparison.Ordinal));
        Add(writer, tags, "blog", json);
        Add(writer, tags, "api", "1795390945.000 201");
        // JSON to a tag mapped to main is refused; main to an unmapped tag starts as combined does and is
        // read as combined (without the fields combined lacks).
        Add(writer, tags, "shop", json);
        Add(writer, tags, "blog", main);
        await writer.FlushAsync();
        await pipeline.StopAsync();

        Assert.Equal("api=1/0 blog=2/7 shop=2/600", string.Join(' ', sink.Traffic
            .GroupBy(t => Encoding.UTF8.GetString(t.Tenant)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}={g.Sum(t => (long)t.Counters.Requests)}/{g.Sum(t => (long)t.Counters.BytesSent)}")));
        Assert.Equal(
            ["shop format_mismatch"],
            sink.Errors.Where(e => e.Count == 1).Select(e => $"{Encoding.UTF8.GetString(e.Tenant)} {e.Reason}").Order(StringComparer.Ordinal));
        Assert.StartsWith("json ", sink.Errors.Single(e => e.Count == 1 && e.Reason == "format_mismatch").Sample, StringComparison.Ordinal);
    }

    [Fact]
    public void TagsAreMatchedByTheirExactBytes()
    {
        var tags = new SyslogFormats(new Dictionary<string, string> { ["shop"] = "main", ["api"] = "other" }, s_formats);
        Assert.True(tags.TryFind("shop"u8, out byte shop));
        Assert.True(tags.TryFind("api"u8, out byte api));
        Assert.Equal(("main", "other"), (s_formats[shop]!.Name, s_formats[api]!.Name));
        Assert.False(tags.TryFind("Shop"u8, out _));
        Assert.False(tags.TryFind("shop2"u8, out _));
        Assert.False(SyslogFormats.None.TryFind("shop"u8, out _));
        Assert.Throws<ArgumentException>(() => new SyslogFormats(new Dictionary<string, string> { ["shop"] = "nope" }, s_formats));
    }

    [Fact]
    public void ADecoderRefusesAFormatIndexItWasNotGiven()
    {
        var decoder = new MessageDecoder(s_formats);
        Assert.Equal(RejectReason.None, decoder.Decode(MessageKind.CustomLog, 1, "1795390945.000 201"u8, out DecodedMessage message));
        Assert.Equal(1_795_390_945_000, message.TimestampMs);
        Assert.Equal(RejectReason.FormatMismatch, decoder.Decode(MessageKind.CustomLog, 2, "1795390945.000 201"u8, out _));
        Assert.Equal(RejectReason.FormatMismatch, new MessageDecoder().Decode(MessageKind.CustomLog, 0, "1795390945.000 201"u8, out _));
    }

    private static void Add(ShardedBatchWriter writer, SyslogFormats tags, string tag, string line) =>
        SyslogMessages.Add(writer, tags, NginxLineBuilder.SyslogDatagram(tag, line, withHostname: false), 64 * 1024, 1_795_400_000);
}
