using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Events;
using FastIngest.Core.Parsing.Redaction;

namespace FastIngest.Tests.Parsing.Redaction;

/// <summary>
/// Issue 14, item 3: a reject's sample keeps the shape of what was wrong and none of the personal values
/// planted in it, for every door and format.
/// </summary>
public sealed class RedactedSampleTests
{
    /// <summary>Values no sample may hold: addresses, an agent, a token, a user id, a cookie, a bearer token.</summary>
    public static readonly string[] Planted =
    [
        "203.0.113.77", "2001:db8::dead:beef", "PlantedAgent", "SECRET123", "alice@example.com", "alice",
        "COOKIEVAL", "AUTHTOKEN42", "ref.example",
    ];

    private static NginxLineBuilder HostileLine() => new NginxLineBuilder()
        .Msec(1_795_390_925_000)
        .Set("status", "200")
        .Set("bytes_sent", 512)
        .Set("remote_addr", "203.0.113.77")
        .Set("http_x_forwarded_for", "2001:db8::dead:beef, 203.0.113.77")
        .Set("http_user_agent", "Mozilla/5.0 (X11) PlantedAgent/1.0")
        .Set("request_uri", "/a/b?token=SECRET123&email=alice@example.com")
        .Set("http_referer", "https://ref.example/?u=alice")
        .Set("http_cookie", "session=COOKIEVAL")
        .Set("http_authorization", "Bearer AUTHTOKEN42")
        .Set("user_id", "alice@example.com");

    private static void AssertClean(string sample)
    {
        foreach (string planted in Planted)
        {
            Assert.DoesNotContain(planted, sample, StringComparison.OrdinalIgnoreCase);
        }

        Assert.True(Encoding.UTF8.GetByteCount(sample) <= 512, sample);
    }

    private static string Describe(MessageKind kind, RejectReason reason, string input) =>
        RedactedSample.Describe(kind, reason, Encoding.UTF8.GetBytes(input), 512);

    [Fact]
    public void NginxJsonInvalidStatusNamesTheFieldAndItsValueButNoPersonalValue()
    {
        string sample = Describe(MessageKind.NginxJson, RejectReason.InvalidStatus, HostileLine().Set("status", "abc").ToJson());

        AssertClean(sample);
        Assert.Contains("\"status\":\"abc\" <-invalid_status", sample, StringComparison.Ordinal);
        Assert.Contains("\"remote_addr\":<string 12 B>", sample, StringComparison.Ordinal);
        Assert.Contains("\"request_uri\":\"<path 4 B, 2 segments>?<query 39 B>\"", sample, StringComparison.Ordinal);
        Assert.Contains("\"http_cookie\":<string 17 B>", sample, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((byte)RejectReason.InvalidTime, "msec", "12:00")]
    [InlineData((byte)RejectReason.InvalidNumber, "bytes_sent", "-5")]
    public void NginxJsonBadValuesOfPlainFieldsAreShownAndMarked(byte reasonValue, string field, string value)
    {
        var reason = (RejectReason)reasonValue;
        string sample = Describe(MessageKind.NginxJson, reason, HostileLine().Set(field, value).ToJson());

        AssertClean(sample);
        Assert.Contains($"\"{field}\":\"{value}\" <-{RejectReasons.Name(reason)}", sample, StringComparison.Ordinal);
    }

    [Fact]
    public void NginxJsonMissingStatusSaysWhatIsMissing()
    {
        string line = HostileLine().ToJson().Replace("\"status\":\"200\",", "", StringComparison.Ordinal);

        string sample = Describe(MessageKind.NginxJson, RejectReason.MissingStatus, line);

        AssertClean(sample);
        Assert.EndsWith("(no status)", sample, StringComparison.Ordinal);
    }

    [Fact]
    public void NginxJsonCutShortGivesTheOffsetOfTheErrorAndNoValue()
    {
        string line = HostileLine().ToJson();
        string cut = line[..(line.IndexOf("PlantedAgent", StringComparison.Ordinal) + 5)];

        string sample = Describe(MessageKind.NginxJson, RejectReason.NotJson, cut);

        AssertClean(sample);
        Assert.Contains("not JSON at byte", sample, StringComparison.Ordinal);
        Assert.StartsWith($"json {Encoding.UTF8.GetByteCount(cut)} B: {{\"msec\":\"1795390925.000\"", sample, StringComparison.Ordinal);
    }

    [Fact]
    public void GarbageKeepsOnlyItsShape()
    {
        string garbage = "<13>Nov 25 10:00:00 web1 nginx: 203.0.113.77 alice@example.com GET /x?token=SECRET123 Bearer AUTHTOKEN42 2001:db8::dead:beef";

        string sample = Describe(MessageKind.Rejected, RejectReason.SyslogHeader, garbage);

        AssertClean(sample);
        Assert.StartsWith($"text {garbage.Length} B, starts with '<' (syslog header?)", sample, StringComparison.Ordinal);
        Assert.Contains("shape: <99>aaa 99 99:99:99 aaa9 aaaaa: 999.9.999.99", sample, StringComparison.Ordinal);
    }

    [Fact]
    public void CombinedLineKeepsOnlyItsShape()
    {
        string line = NginxLineBuilder.Combined("203.0.113.77", DateTimeOffset.UnixEpoch.AddDays(20_000), "GET /a?token=SECRET123 HTTP/1.1", 200, 5, "https://ref.example/alice", "PlantedAgent alice@example.com")
            .Replace(" 200 ", " abc ", StringComparison.Ordinal);

        string sample = Describe(MessageKind.CombinedLog, RejectReason.NotCombined, line);

        AssertClean(sample);
        Assert.StartsWith($"combined {line.Length} B, starts with a digit", sample, StringComparison.Ordinal);
        Assert.Contains("\"aaa /a?aaaaa=aaaaaa999 aaaa/9.9\" aaa 9", sample, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((byte)RejectReason.NotCombined, "203.0.113.77 - - [23/Nov/2026:06:42:21 +0000] \"GET /a?token=SECRET123", "combined ")]
    [InlineData((byte)RejectReason.UnknownFormat, "alice@example.com SECRET123", "text ")]
    [InlineData((byte)RejectReason.NotJson, "{\"user\":\"alice@example.com\",\"token\":\"SECRET123\"", "json ")]
    public void ADetectedLineIsDescribedAsWhatItWasReadAs(byte reasonValue, string line, string starts)
    {
        string sample = Describe(MessageKind.AccessLog, (RejectReason)reasonValue, line);

        AssertClean(sample);
        Assert.StartsWith(starts, sample, StringComparison.Ordinal);
    }

    [Fact]
    public void PixelUrlKeepsValidNamesAndNoAddressEmailOrQuery()
    {
        string sample = Describe(MessageKind.Rejected, RejectReason.InvalidKey, "/p/acme/alice@example.com.gif?token=SECRET123");
        Assert.Equal("url 29 B: /p/acme/aaaaaaaaaaaaa.aaa.aaa?<query 15 B>", sample);

        string address = Describe(MessageKind.Rejected, RejectReason.UnknownTenant, "/p/203.0.113.77/home.gif");
        AssertClean(address);
        Assert.Equal("url 24 B: /p/999.9.999.99/home.gif", address);
        Assert.Equal("url 20 B: /p/stranger/home.gif", Describe(MessageKind.Rejected, RejectReason.UnknownTenant, "/p/stranger/home.gif"));
    }

    [Theory]
    [InlineData((byte)RejectReason.InvalidField, "{\"site_id\":\"shop\",\"event_type\":5,\"user_id\":\"alice@example.com\",\"path\":\"/x?token=SECRET123\",\"ua\":\"PlantedAgent\"}", "\"event_type\":5 <-invalid_field")]
    [InlineData((byte)RejectReason.InvalidTime, "{\"site_id\":\"shop\",\"event_type\":\"buy\",\"user_id\":\"alice@example.com\",\"timestamp\":\"203.0.113.77\"}", "\"timestamp\":<string 12 B> <-invalid_time")]
    [InlineData((byte)RejectReason.UnknownTenant, "{\"site_id\":\"other\",\"event_type\":\"buy\",\"user_id\":\"alice@example.com\",\"cookie\":\"COOKIEVAL\"}", "\"site_id\":\"other\" <-unknown_tenant")]
    [InlineData((byte)RejectReason.NotJson, "{\"site_id\":\"shop\",\"user_id\":\"alice@example.com\",\"authorization\":\"Bearer AUTHTOKEN42\"", "not JSON at byte")]
    public void EventJsonNamesWhatWasWrongAndHidesTheUserId(byte reasonValue, string json, string expected)
    {
        var reason = (RejectReason)reasonValue;
        string sample = Describe(MessageKind.Rejected, reason, json);

        AssertClean(sample);
        Assert.Contains(expected, sample, StringComparison.Ordinal);
    }

    [Fact]
    public void EventJsonTooLongFieldIsMarkedWithItsLength()
    {
        string json = "{\"site_id\":\"shop\",\"event_type\":\"buy\",\"user_id\":\"" + new string('x', 300) + "alice@example.com\"}";

        string sample = Describe(MessageKind.Rejected, RejectReason.FieldTooLong, json);

        AssertClean(sample);
        Assert.Contains("\"user_id\":<string 317 B> <-field_too_long", sample, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodedPixelHitKeepsItsTimeAndSizesOnly()
    {
        var message = new byte[PixelHit.MaxEncodedLength];
        int length = new PixelHit
        {
            TimestampMs = 1_795_390_925_000,
            CountVisitor = true,
            Key = "home"u8,
            Address = "2001:db8::dead:beef"u8,
            UserAgent = "Mozilla/5.0 PlantedAgent"u8,
        }.Encode(message);

        string sample = RedactedSample.Describe(MessageKind.PixelHit, RejectReason.TimeOutOfRange, message.AsSpan(0, length), 512);

        AssertClean(sample);
        Assert.Equal("pixel hit time_ms=1795390925000 key=<4 B> address=<ip 19 B> user_agent=<24 B>", sample);
    }

    [Fact]
    public void EncodedEventKeepsItsTimeAndSizesOnly()
    {
        var message = new byte[EventMessage.MaxEncodedLength];
        int length = new EventMessage
        {
            TimestampMs = 1_795_390_925_000,
            EventType = "buy"u8,
            Path = "/cart?token=SECRET123"u8,
            UserId = "alice@example.com"u8,
        }.Encode(message);

        string sample = RedactedSample.Describe(MessageKind.Event, RejectReason.TimeOutOfRange, message.AsSpan(0, length), 512);

        AssertClean(sample);
        Assert.Equal("event time_ms=1795390925000 event_type=<3 B> path=<path 5 B, 1 segments>?<query 15 B> user_id=<17 B>", sample);
    }

    [Fact]
    public void JsonWithBytesThatAreNotUtf8IsDescribedNotThrown()
    {
        byte[] line = [.. "{\"status\":\"abc\",\"remote_addr\":\"203.0.113.77"u8, 0xFF, .. "\",\""u8, 0xFE, .. "\":1}"u8];

        string sample = RedactedSample.Describe(MessageKind.NginxJson, RejectReason.InvalidStatus, line, 512);

        AssertClean(sample);
        Assert.StartsWith("json ", sample, StringComparison.Ordinal);
    }

    [Fact]
    public void SamplesStayWithinTheirBytesAndAscii()
    {
        string line = HostileLine().Set("status", "abc").Set("x", new string('é', 2000)).ToJson();

        string sample = RedactedSample.Describe(MessageKind.NginxJson, RejectReason.InvalidStatus, Encoding.UTF8.GetBytes(line), 64);

        Assert.Equal(64, sample.Length);
        Assert.True(Ascii.IsValid(sample));
        Assert.EndsWith("...", sample, StringComparison.Ordinal);
    }
}
