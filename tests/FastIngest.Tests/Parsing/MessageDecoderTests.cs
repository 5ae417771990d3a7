using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Events;

namespace FastIngest.Tests.Parsing;

public sealed class MessageDecoderTests
{
    private const long Ms = 1_795_390_925_000;

    private static byte[] Json(string host = "example.com") =>
        Encoding.UTF8.GetBytes($"{{\"msec\":\"{Ms / 1000}.000\",\"status\":\"200\",\"uri\":\"/a\",\"host\":\"{host}\"}}");

    [Fact]
    public void NginxJsonIsReadIntoTheRecord()
    {
        var decoder = new MessageDecoder();

        RejectReason reason = decoder.Decode(MessageKind.NginxJson, Json(), out DecodedMessage message);

        Assert.Equal(RejectReason.None, reason);
        Assert.Equal(Ms, message.TimestampMs);
        Assert.Equal(Ms, decoder.Record.TimestampMs);
        Assert.Equal(200, decoder.Record.Status);
        Assert.True(message.HostTenant.IsEmpty);
    }

    [Fact]
    public void CombinedLineIsReadIntoTheRecord()
    {
        var decoder = new MessageDecoder();
        byte[] line = "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326 \"-\" \"-\""u8.ToArray();

        RejectReason reason = decoder.Decode(MessageKind.CombinedLog, line, out DecodedMessage message);

        Assert.Equal(RejectReason.None, reason);
        Assert.Equal(971_211_336_000, message.TimestampMs);
        Assert.Equal(2326, decoder.Record.BodyBytesSent);
    }

    [Fact]
    public void ParserReasonIsReturnedForABadLine()
    {
        var decoder = new MessageDecoder();

        Assert.Equal(RejectReason.NotJson, decoder.Decode(MessageKind.NginxJson, "not json"u8, out _));
        Assert.Equal(RejectReason.NotJson, decoder.Decode(MessageKind.NginxJsonHostTenant, "not json"u8, out _));
    }

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("example.com:8080", "example.com")]
    [InlineData("a-b_c.example", "a-b_c.example")]
    public void HostTenantIsTheHostWithoutItsPort(string host, string tenant)
    {
        var decoder = new MessageDecoder();

        RejectReason reason = decoder.Decode(MessageKind.NginxJsonHostTenant, Json(host), out DecodedMessage message);

        Assert.Equal(RejectReason.None, reason);
        Assert.Equal(tenant, Encoding.UTF8.GetString(message.HostTenant));
        Assert.Equal(Ms, message.TimestampMs);
    }

    [Theory]
    [InlineData("", "MissingTenant")]
    [InlineData("bad host", "InvalidTenant")]
    [InlineData("[::1]:8080", "InvalidTenant")]
    public void HostTenantMustBeAValidName(string host, string expected)
    {
        var decoder = new MessageDecoder();

        Assert.Equal(Enum.Parse<RejectReason>(expected), decoder.Decode(MessageKind.NginxJsonHostTenant, Json(host), out _));
    }

    [Fact]
    public void PixelHitIsDecodedFromItsEncoding()
    {
        var decoder = new MessageDecoder();
        byte[] body = new byte[PixelHit.MaxEncodedLength];
        int length = new PixelHit { TimestampMs = Ms, CountVisitor = true, Key = "home"u8, Address = "10.0.0.1"u8, UserAgent = "curl"u8 }.Encode(body);

        RejectReason reason = decoder.Decode(MessageKind.PixelHit, body.AsSpan(0, length), out DecodedMessage message);

        Assert.Equal(RejectReason.None, reason);
        Assert.Equal(Ms, message.TimestampMs);
        Assert.True(message.Pixel.CountVisitor);
        Assert.Equal("home", Encoding.UTF8.GetString(message.Pixel.Key));
        Assert.Equal("10.0.0.1", Encoding.UTF8.GetString(message.Pixel.Address));
        Assert.Equal("curl", Encoding.UTF8.GetString(message.Pixel.UserAgent));
    }

    [Fact]
    public void EventIsDecodedFromItsEncoding()
    {
        var decoder = new MessageDecoder();
        byte[] body = new byte[EventMessage.MaxEncodedLength];
        int length = new EventMessage { TimestampMs = Ms, EventType = "signup"u8, Path = "/join"u8, UserId = "u1"u8 }.Encode(body);

        RejectReason reason = decoder.Decode(MessageKind.Event, body.AsSpan(0, length), out DecodedMessage message);

        Assert.Equal(RejectReason.None, reason);
        Assert.Equal(Ms, message.TimestampMs);
        Assert.Equal("signup", Encoding.UTF8.GetString(message.Event.EventType));
        Assert.Equal("/join", Encoding.UTF8.GetString(message.Event.Path));
        Assert.Equal("u1", Encoding.UTF8.GetString(message.Event.UserId));
    }

    [Theory]
    [InlineData("PixelHit")]
    [InlineData("Event")]
    public void TruncatedEncodingIsInvalidTimeAsTheShardAlwaysSaid(string kind)
    {
        var decoder = new MessageDecoder();

        Assert.Equal(RejectReason.InvalidTime, decoder.Decode(Enum.Parse<MessageKind>(kind), new byte[5], out _));
    }

    [Theory]
    [InlineData(nameof(MessageKind.NginxJson))]
    [InlineData(nameof(MessageKind.NginxJsonHostTenant))]
    public void ABodyInABufferIsReadInPlaceAsACopiedOneIs(string kindName)
    {
        MessageKind kind = Enum.Parse<MessageKind>(kindName);
        byte[] body = Json("example.com:8080");
        byte[] buffer = [.. "prefix"u8, .. body, .. "suffix"u8];
        var copying = new MessageDecoder();
        var inPlace = new MessageDecoder();

        Assert.Equal(RejectReason.None, copying.Decode(kind, body, out DecodedMessage copied));
        Assert.Equal(RejectReason.None, inPlace.Decode(kind, buffer, 6, body.Length, out DecodedMessage referenced));

        AccessLogRecordAssert.Same(copying.Record, inPlace.Record);
        Assert.Equal(copied.HostTenant.ToArray(), referenced.HostTenant.ToArray());
        Assert.Same(buffer, inPlace.Record.Line);
        Assert.True(inPlace.Record.Path.Start < 0);

        inPlace.Release();

        Assert.Null(inPlace.Record.Line);
        Assert.True(inPlace.Record.Path.IsEmpty);
    }

    [Theory]
    [InlineData("{\"msec\":\"1795390925.000\",\"status\":\"200\",\"uri\":\"/a\",\"upstream_cache_status\":\"HIT\"}", "1795390925000 200 Hit /a")]
    [InlineData(" \t{\"msec\":\"1795390925.000\",\"status\":\"404\",\"uri\":\"/a\"}\r\n", "1795390925000 404 None /a")]
    [InlineData("127.0.0.1 - - [22/Nov/2026:08:22:05 +0000] \"GET /b?x=1 HTTP/1.1\" 200 5 \"-\" \"curl/8\"", "1795335725000 200 None /b")]
    [InlineData("127.0.0.1 - - [22/Nov/2026:08:22:05 +0000] \"GET /b HTTP/1.1\" 206 5 \"-\" \"curl/8\" \"MISS\"", "1795335725000 206 Miss /b")]
    [InlineData("127.0.0.1 - - [22/Nov/2026:08:22:05 +0000] \"GET /b HTTP/1.1\" 200 5 \"-\" \"curl/8\" cache=EXPIRED", "1795335725000 200 Expired /b")]
    [InlineData("  127.0.0.1 - - [22/Nov/2026:08:22:05 +0000] \"GET /caf\\xC3\\xA9 HTTP/1.1\" 200 5 \"-\" \"-\"", "1795335725000 200 None /caf\u00e9")]
    public void AnAccessLogLineIsReadAsJsonOrCombinedByItsFirstByte(string line, string expected)
    {
        byte[] body = Encoding.UTF8.GetBytes(line);
        byte[] buffer = [.. "prefix"u8, .. body, .. "suffix"u8];
        var copying = new MessageDecoder();
        var inPlace = new MessageDecoder();

        Assert.Equal(RejectReason.None, copying.Decode(MessageKind.AccessLog, body, out DecodedMessage message));
        Assert.Equal(RejectReason.None, inPlace.Decode(MessageKind.AccessLog, buffer, 6, body.Length, out _));

        AccessLogRecord r = copying.Record;
        Assert.Equal(expected, $"{message.TimestampMs} {r.Status} {r.CacheStatus} {Encoding.UTF8.GetString(r.Text(r.Path))}");
        AccessLogRecordAssert.Same(copying.Record, inPlace.Record);
        Assert.Same(buffer, inPlace.Record.Line);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(" \r\n", "empty")]
    [InlineData("{\"status\":\"200\"", "not_json")]
    [InlineData(" {oops", "not_json")]
    [InlineData("{\"msec\":\"1795390925.000\"}", "missing_status")]
    [InlineData("127.0.0.1 - - [22/Nov/2026:08:22:05 +0000] \"GET /b HTTP/1.1\" 200", "not_combined")]
    [InlineData("127.0.0.1 - - [22/Nov/2026:08:22:65 +0000] \"GET /b HTTP/1.1\" 200 5 \"-\" \"-\"", "invalid_time")]
    [InlineData("127.0.0.1 - - [22/Nov/2026:08:22:05 +0000] \"GET /b HTTP/1.1\" 700 5 \"-\" \"-\"", "invalid_status")]
    [InlineData("hello world", "unknown_format")]
    [InlineData("[{\"status\":\"200\"}]", "unknown_format")]
    [InlineData("<13>Nov 23 06:42:25 blog: {\"status\":\"200\"}", "unknown_format")]
    [InlineData("127.0.0.1 user [22/Nov/2026:08:22:05 +0000] \"GET /b HTTP/1.1\" 200 5 \"-\" \"-\"", "unknown_format")]
    public void AnAccessLogLineThatIsNeitherSaysWhy(string line, string reason)
    {
        byte[] body = Encoding.UTF8.GetBytes(line);
        var decoder = new MessageDecoder();

        Assert.Equal(reason, RejectReasons.Name(decoder.Decode(MessageKind.AccessLog, body, out _)));
        Assert.Equal(reason, RejectReasons.Name(decoder.Decode(MessageKind.AccessLog, body, 0, body.Length, out _)));
    }

    [Fact]
    public void AFixedFormatStillRefusesTheOthersLines()
    {
        var decoder = new MessageDecoder();
        byte[] combined = "127.0.0.1 - - [22/Nov/2026:08:22:05 +0000] \"GET /b HTTP/1.1\" 200 5 \"-\" \"-\""u8.ToArray();

        Assert.Equal(RejectReason.NotJson, decoder.Decode(MessageKind.NginxJson, combined, out _));
        Assert.Equal(RejectReason.NotCombined, decoder.Decode(MessageKind.CombinedLog, Json(), out _));
        Assert.Equal(RejectReason.NotCombined, decoder.Decode(MessageKind.CombinedLog, "hello world"u8, out _));
    }

    [Fact]
    public void DetectingAllocatesNothingOnceWarm()
    {
        byte[][] lines =
        [
            Json(),
            "127.0.0.1 - - [22/Nov/2026:08:22:05 +0000] \"GET /caf\\xC3\\xA9 HTTP/1.1\" 200 5 \"-\" \"A \\x22B\\x22\" \"HIT\""u8.ToArray(),
            "hello world"u8.ToArray(),
        ];
        var decoder = new MessageDecoder();
        foreach (byte[] line in lines)
        {
            decoder.Decode(MessageKind.AccessLog, line, 0, line.Length, out _);
        }

        int ok = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            byte[] line = lines[i % lines.Length];
            ok += decoder.Decode(MessageKind.AccessLog, line, 0, line.Length, out _) == RejectReason.None ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(6_667, ok);
    }

    [Fact]
    public void ACombinedBodyInABufferIsReadInPlace()
    {
        byte[] line = "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326 \"-\" \"-\""u8.ToArray();
        byte[] buffer = [.. "x"u8, .. line];
        var decoder = new MessageDecoder();

        Assert.Equal(RejectReason.None, decoder.Decode(MessageKind.CombinedLog, buffer, 1, line.Length, out _));

        Assert.Equal("/apache_pb.gif", Encoding.UTF8.GetString(decoder.Record.Text(decoder.Record.Path)));
        Assert.Equal(0, decoder.Record.ScratchLength);
    }
}
