using System.Text;
using FastIngest.Core.Parsing.Events;

namespace FastIngest.Tests.Parsing.Events;

public sealed class EventJsonParserTests
{
    private static (string Error, string Site, string Type, string Path, string User, long? Time) Parse(string json)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        var scratch = new byte[bytes.Length];
        EventError error = EventJsonParser.TryParse(bytes, scratch, out ParsedEvent e);
        string Text(Range r) => Encoding.UTF8.GetString(scratch.AsSpan()[r]);
        return error == EventError.None
            ? ("", Text(e.SiteId), Text(e.EventType), Text(e.Path), Text(e.UserId), e.TimestampMs)
            : (EventErrors.Message(error), "", "", "", "", null);
    }

    [Fact]
    public void AFullEventIsReadWithEscapesUndone()
    {
        Assert.Equal(
            ("", "s\"1", "page_view", "/caf\u00e9/\u4e2d", "u-7", 1_795_392_000_123L),
            Parse("""{"site_id":"s\"1","event_type":"page_view","path":"/caf\u00e9/\u4e2d","user_id":"u-7","timestamp":"2026-11-23T00:00:00.123Z","extra":{"nested":[1,2]}}"""));
    }

    [Theory]
    [InlineData("/cart?token=SECRET123")]
    [InlineData("/cart#alice@example.com")]
    [InlineData("/cart?a=1#b")]
    public void APathIsKeptWithoutItsQueryOrFragment(string path)
    {
        Assert.Equal("/cart", Parse($"{{\"site_id\":\"s\",\"event_type\":\"t\",\"path\":\"{path}\"}}").Path);
    }

    [Fact]
    public void OptionalFieldsMayBeAbsentOrNullAndUserIdMayBeANumber()
    {
        Assert.Equal(("", "s", "t", "", "", null), Parse("""{"site_id":"s","event_type":"t","path":null,"user_id":null,"timestamp":null}"""));
        Assert.Equal(("", "s", "t", "", "12345", null), Parse("""{"event_type":"t","site_id":"s","user_id":12345}"""));
        Assert.Equal(("", "s", "t", "", "", 1_795_384_800_000L), Parse("""{"site_id":"s","event_type":"t","timestamp":"2026-11-23T00:00:00+02:00"}"""));
    }

    [Theory]
    [InlineData("", "Invalid JSON")]
    [InlineData("{", "Invalid JSON")]
    [InlineData("""{"site_id":"s","event_type":"t"} x""", "Invalid JSON")]
    [InlineData("""{"site_id":"s","event_type":"t"}{}""", "Invalid JSON")]
    [InlineData("[1]", "Invalid event: expected a JSON object")]
    [InlineData("\"s\"", "Invalid event: expected a JSON object")]
    [InlineData("{}", "Missing required field: site_id")]
    [InlineData("""{"site_id":"","event_type":"t"}""", "Missing required field: site_id")]
    [InlineData("""{"site_id":"s"}""", "Missing required field: event_type")]
    [InlineData("""{"site_id":["s"],"event_type":"t"}""", "Invalid field type: site_id must be a string")]
    [InlineData("""{"site_id":"s","event_type":1}""", "Invalid field type: event_type must be a string")]
    [InlineData("""{"site_id":"s","event_type":"t","path":{}}""", "Invalid field type: path must be a string")]
    [InlineData("""{"site_id":"s","event_type":"t","user_id":true}""", "Invalid field type: user_id must be a string or a number")]
    [InlineData("""{"site_id":"s","event_type":"t","timestamp":1700000000}""", "Invalid field type: timestamp must be an ISO 8601 string")]
    [InlineData("""{"site_id":"s","event_type":"t","timestamp":"2026-11-23T00:00:00"}""", "Invalid timestamp: expected ISO 8601 with an offset, e.g. 2026-11-23T10:00:00Z")]
    [InlineData("""{"site_id":"s","event_type":"t","timestamp":"2026-02-30T00:00:00Z"}""", "Invalid timestamp: expected ISO 8601 with an offset, e.g. 2026-11-23T10:00:00Z")]
    public void BadEventsSayWhatIsWrong(string json, string error) => Assert.Equal(error, Parse(json).Error);

    [Fact]
    public void OverlongFieldsAreRefusedByName()
    {
        Assert.Equal("Field too long: site_id (at most 256 bytes)", Parse($$"""{"site_id":"{{new string('s', 257)}}","event_type":"t"}""").Error);
        Assert.Equal("Field too long: path (at most 2048 bytes)", Parse($$"""{"site_id":"s","event_type":"t","path":"{{new string('p', 2049)}}"}""").Error);
        Assert.Equal("", Parse($$"""{"site_id":"{{new string('s', 256)}}","event_type":"t","path":"{{new string('p', 2048)}}"}""").Error);
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(7);
        byte[] valid = Encoding.UTF8.GetBytes("""{"site_id":"s","event_type":"page_view","path":"/a","user_id":"u","timestamp":"2026-11-23T00:00:00Z"}""");
        var scratch = new byte[valid.Length * 2];
        for (int i = 0; i < 20_000; i++)
        {
            byte[] mutated = (byte[])valid.Clone();
            for (int m = random.Next(1, 4); m > 0; m--)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            byte[] input = mutated[..random.Next(mutated.Length + 1)];
            EventError error = EventJsonParser.TryParse(input, scratch, out _);
            Assert.True(Enum.IsDefined(error));
        }
    }
}
