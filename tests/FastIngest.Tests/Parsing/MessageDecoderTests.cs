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
