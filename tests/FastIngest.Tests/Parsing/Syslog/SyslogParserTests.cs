using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Syslog;

namespace FastIngest.Tests.Parsing.Syslog;

public sealed class SyslogParserTests
{
    private static readonly byte[][] s_datagrams = Corpus.Datagrams;
    private static readonly byte[][] s_jsonLines = Corpus.JsonLines;

    private const string Json = """{"status":"200"}""";

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static SyslogHeader ParseOk(byte[] message)
    {
        bool parsed = SyslogParser.TryParse(message, out SyslogHeader header, out RejectReason reason);
        Assert.True(parsed, $"rejected as {reason}");
        Assert.Equal(RejectReason.None, reason);
        AssertInBounds(header, message.Length);
        return header;
    }

    private static SyslogHeader ParseOk(string message) => ParseOk(Bytes(message));

    private static RejectReason ParseBad(byte[] message)
    {
        Assert.False(SyslogParser.TryParse(message, out SyslogHeader header, out RejectReason reason));
        Assert.NotEqual(RejectReason.None, reason);
        Assert.Equal(default(SyslogHeader), header);
        return reason;
    }

    private static RejectReason ParseBad(string message) => ParseBad(Bytes(message));

    private static string Tenant(string message, SyslogHeader header) => Tenant(Bytes(message), header);

    private static string Tenant(byte[] message, SyslogHeader header)
        => Encoding.UTF8.GetString(message, header.TenantStart, header.TenantLength);

    private static string Body(string message, SyslogHeader header) => Body(Bytes(message), header);

    private static string Body(byte[] message, SyslogHeader header)
        => Encoding.UTF8.GetString(message, header.BodyStart, header.BodyLength);

    private static void AssertInBounds(SyslogHeader header, int length)
    {
        Assert.InRange(header.Priority, 0, 191);
        Assert.InRange(header.TenantLength, 1, SyslogParser.MaxTenantLength);
        Assert.InRange(header.TenantStart, 0, length - header.TenantLength);
        Assert.InRange(header.BodyLength, 0, length);
        Assert.InRange(header.BodyStart, 0, length - header.BodyLength);
    }

    /// <summary>Parses and, when accepted, checks the offsets; must never throw.</summary>
    private static void ParseAnything(ReadOnlySpan<byte> message)
    {
        if (SyslogParser.TryParse(message, out SyslogHeader header, out RejectReason reason))
        {
            Assert.Equal(RejectReason.None, reason);
            AssertInBounds(header, message.Length);
        }
        else
        {
            Assert.NotEqual(RejectReason.None, reason);
        }
    }

    // ---- corpus --------------------------------------------------------------------------------------

    [Fact]
    public void ParsesEveryNginxDatagramInTheCorpus()
    {
        Assert.Equal(34, s_datagrams.Length);
        Assert.Equal(17, s_jsonLines.Length);
        for (int i = 0; i < s_datagrams.Length; i++)
        {
            byte[] datagram = s_datagrams[i];
            SyslogHeader header = ParseOk(datagram);
            Assert.Equal(SyslogFormat.Rfc3164, header.Format);
            Assert.Equal(190, header.Priority); // local7.info
            Assert.Equal(Corpus.TenantOf(i), Tenant(datagram, header));

            ReadOnlySpan<byte> body = datagram.AsSpan(header.BodyStart, header.BodyLength);
            Assert.Equal((byte)'{', body[0]);
            Assert.Equal((byte)'}', body[^1]);
            Assert.True(body.SequenceEqual(Corpus.JsonLineOf(i)), $"datagram {i}: body is not line {i / 2}");
        }
    }

    [Fact]
    public void ParsingACorpusDatagramAllocatesNothing()
    {
        byte[] datagram = s_datagrams[0];
        byte[] rfc5424 = Bytes("""<165>1 2026-11-22T23:42:25.123Z host app 42 ID7 [id k="a\"b\]c"] """ + Json);
        int parsed = 0;
        for (int i = 0; i < 100; i++)
        {
            parsed += Parse(datagram) + Parse(rfc5424);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            parsed += Parse(datagram) + Parse(rfc5424);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(2 * 1100, parsed);

        static int Parse(byte[] message) => SyslogParser.TryParse(message, out _, out _) ? 1 : 0;
    }

    // ---- RFC 3164 ------------------------------------------------------------------------------------

    [Fact]
    public void ParsesNginxHostnameForm()
    {
        const string message = "<190>Nov 22 23:42:25 vm shop_example: " + Json;
        SyslogHeader header = ParseOk(message);
        Assert.Equal(SyslogFormat.Rfc3164, header.Format);
        Assert.Equal(190, header.Priority);
        Assert.Equal("shop_example", Tenant(message, header));
        Assert.Equal(Json, Body(message, header));
    }

    [Fact]
    public void ParsesNginxNoHostnameForm()
    {
        const string message = "<190>Nov 22 23:42:25 blog: " + Json;
        SyslogHeader header = ParseOk(message);
        Assert.Equal(SyslogFormat.Rfc3164, header.Format);
        Assert.Equal("blog", Tenant(message, header));
        Assert.Equal(Json, Body(message, header));
    }

    [Theory]
    [InlineData("<13>Nov 22 23:42:25 host app[1234]: hello world")]
    [InlineData("<13>Nov 22 23:42:25 app[1234]: hello world")]
    public void ParsesTagWithPid(string message)
    {
        SyslogHeader header = ParseOk(message);
        Assert.Equal("app", Tenant(message, header));
        Assert.Equal("hello world", Body(message, header));
    }

    [Theory]
    [InlineData("<13>Nov  2 03:04:05 host app: hi")]
    [InlineData("<13>Nov  2 03:04:05 app: hi")]
    [InlineData("<13>Nov 2 03:04:05 host app: hi")]
    public void ParsesSingleDigitDayPaddedOrNot(string message)
    {
        SyslogHeader header = ParseOk(message);
        Assert.Equal("app", Tenant(message, header));
        Assert.Equal("hi", Body(message, header));
    }

    [Theory]
    [InlineData("<190>2026-11-22T23:42:25.123456+00:00 host shop_example: ")]
    [InlineData("<190>2026-11-22T23:42:25.123456+00:00 shop_example: ")]
    [InlineData("<190>2026-11-22T23:42:25Z host shop_example: ")]
    [InlineData("<190>2026-11-22t23:42:25-05:30 shop_example[7]: ")]
    public void ParsesRfc3339TimestampInLegacyForm(string prefix)
    {
        string message = prefix + Json;
        SyslogHeader header = ParseOk(message);
        Assert.Equal(SyslogFormat.Rfc3164, header.Format);
        Assert.Equal("shop_example", Tenant(message, header));
        Assert.Equal(Json, Body(message, header));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\0")]
    [InlineData("\r\n\0")]
    public void TrimsTrailingTerminatorsFromTheBody(string terminator)
    {
        string legacy = "<190>Nov 22 23:42:25 vm shop_example: " + Json + terminator;
        Assert.Equal(Json, Body(legacy, ParseOk(legacy)));

        string rfc5424 = "<190>1 2026-11-22T23:42:25Z vm shop_example - - - " + Json + terminator;
        Assert.Equal(Json, Body(rfc5424, ParseOk(rfc5424)));
    }

    [Theory]
    [InlineData("<13>Nov 22 23:42:25 host app:")]
    [InlineData("<13>Nov 22 23:42:25 host app: ")]
    [InlineData("<13>Nov 22 23:42:25 app:\n")]
    public void AcceptsAnEmptyBody(string message)
    {
        SyslogHeader header = ParseOk(message);
        Assert.Equal("app", Tenant(message, header));
        Assert.Equal(0, header.BodyLength);
    }

    [Theory]
    [InlineData("<0>Nov 22 23:42:25 app: x", 0)]
    [InlineData("<7>Nov 22 23:42:25 app: x", 7)]
    [InlineData("<191>Nov 22 23:42:25 app: x", 191)]
    [InlineData("<013>Nov 22 23:42:25 app: x", 13)]
    public void ReadsPriority(string message, int priority)
        => Assert.Equal(priority, ParseOk(message).Priority);

    [Theory]
    [InlineData("a")]
    [InlineData("shop.example-2_b")]
    [InlineData("ABC.def-ghi_0123456789")]
    public void AcceptsEveryTenantByteOfTheAlphabet(string tag)
    {
        string message = "<13>Nov 22 23:42:25 host " + tag + ": x";
        Assert.Equal(tag, Tenant(message, ParseOk(message)));
    }

    [Fact]
    public void AcceptsTenantOfMaxLength()
    {
        string tag = new('t', SyslogParser.MaxTenantLength);
        string message = "<13>Nov 22 23:42:25 " + tag + ": x";
        Assert.Equal(tag, Tenant(message, ParseOk(message)));
    }

    [Theory]
    [InlineData("<13>host app: no timestamp")]
    [InlineData("<13>app: no timestamp")]
    [InlineData("<13>Foo 22 23:42:25 host app: x")]
    [InlineData("<13>nov 22 23:42:25 host app: x")]
    [InlineData("<13>Nov 32 23:42:25 host app: x")]
    [InlineData("<13>Nov 22 24:42:25 host app: x")]
    [InlineData("<13>Nov 22 23:42 host app: x")]
    [InlineData("<13>Nov 22 23:42:25.123 host app: x")]
    [InlineData("<13>2026-11-22 23:42:25 host app: x")]
    [InlineData("<13>2026-13-22T23:42:25Z host app: x")]
    [InlineData("<13>2026-11-22T23:42:25 host app: x")]
    [InlineData("<13>2026-11-22T23:42:25. host app: x")]
    [InlineData("<13>2026-11-22T23:42:25+0000 host app: x")]
    [InlineData("<13>")]
    public void RejectsLegacyHeaderWithoutATimestamp(string message)
        => Assert.Equal(RejectReason.SyslogHeader, ParseBad(message));

    [Theory]
    [InlineData("<13>Nov 22 23:42:25 host a message without a tag")]
    [InlineData("<13>Nov 22 23:42:25 host")]
    [InlineData("<13>Nov 22 23:42:25 ")]
    [InlineData("<13>Nov 22 23:42:25")]
    [InlineData("<13>Nov 22 23:42:25 host : empty tag")]
    [InlineData("<13>Nov 22 23:42:25 [42]: empty tag")]
    [InlineData("<13>Nov 22 23:42:25 app[42] no colon")]
    public void RejectsLegacyMessageWithoutATagAsMissingTenant(string message)
        => Assert.Equal(RejectReason.MissingTenant, ParseBad(message));

    // ---- RFC 5424 ------------------------------------------------------------------------------------

    [Fact]
    public void ParsesRfc5424WithNilStructuredData()
    {
        const string message = "<165>1 2026-11-22T23:42:25.003Z mymachine.example.com shop_example 1234 ID47 - " + Json;
        SyslogHeader header = ParseOk(message);
        Assert.Equal(SyslogFormat.Rfc5424, header.Format);
        Assert.Equal(165, header.Priority);
        Assert.Equal("shop_example", Tenant(message, header));
        Assert.Equal(Json, Body(message, header));
    }

    [Fact]
    public void ParsesRfc5424WithNilValuesInEveryOtherHeaderField()
    {
        const string message = "<14>1 - - app - - - " + Json;
        SyslogHeader header = ParseOk(message);
        Assert.Equal("app", Tenant(message, header));
        Assert.Equal(Json, Body(message, header));
    }

    [Theory]
    [InlineData("""[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]""")]
    [InlineData("""[a@1 k="with \"quotes\" and \]brackets\] and \\ and spaces"]""")]
    [InlineData("""[a@1 k="]unescaped [brackets] are content in a value"]""")]
    [InlineData("""[a@1 k="v\\"][b@2 x="y" z="w\""][c@3]""")]
    [InlineData("""[origin]""")]
    public void ParsesRfc5424WithStructuredDataElements(string structuredData)
    {
        string message = "<165>1 2026-11-22T23:42:25Z host app 1 ID " + structuredData + " " + Json;
        SyslogHeader header = ParseOk(message);
        Assert.Equal("app", Tenant(message, header));
        Assert.Equal(Json, Body(message, header));
    }

    [Fact]
    public void SkipsByteOrderMarkAtTheStartOfRfc5424Message()
    {
        byte[] message = [.. Bytes("<165>1 2026-11-22T23:42:25Z host app - - - "), 0xEF, 0xBB, 0xBF, .. Bytes(Json)];
        SyslogHeader header = ParseOk(message);
        Assert.Equal(Json, Body(message, header));
    }

    [Theory]
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - - -")]
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - - - ")]
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - - [id k=\"v\"]")]
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - - [id k=\"v\"]\n")]
    public void ParsesRfc5424WithoutMessage(string message)
    {
        SyslogHeader header = ParseOk(message);
        Assert.Equal("app", Tenant(message, header));
        Assert.Equal(0, header.BodyLength);
    }

    [Fact]
    public void RejectsRfc5424NilAppNameAsMissingTenant()
        => Assert.Equal(RejectReason.MissingTenant, ParseBad("<165>1 2026-11-22T23:42:25Z host - 1234 ID47 - " + Json));

    [Theory]
    [InlineData("<165>1 2026-11-22T23:42:25Z host ta/g - - - x")]
    [InlineData("<165>1 2026-11-22T23:42:25Z host app:1 - - - x")]
    [InlineData("<165>1 2026-11-22T23:42:25Z host app[1] - - - x")]
    public void RejectsRfc5424AppNameOutsideTheTenantAlphabet(string message)
        => Assert.Equal(RejectReason.InvalidTenant, ParseBad(message));

    [Theory]
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - - x")]                 // SD neither '-' nor '['
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - - [id k=\"v\"")]       // element not closed
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - - [id k=\"v]")]        // value not closed
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - - [id k=\"v\\\"]")]    // closing quote escaped
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - - [id k=\"v\\")]       // ends in an escape
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - - []")]                // no SD-ID
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - - [id]x")]            // no space before MSG
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - - -x")]                // no space before MSG
    [InlineData("<165>1 2026-11-22T23:42:25Z host  app - - - x")]              // empty field
    [InlineData("<165>1 2026-11-22T23:42:25Z host app - -")]                   // no SD
    [InlineData("<165>1 2026-11-22T23:42:25Z host app")]                       // cut in the header
    [InlineData("<165>1 Nov 22 23:42:25 host app - - - x")]                    // legacy timestamp
    [InlineData("<165>1  host app - - - x")]                                   // empty timestamp
    [InlineData("<165>1 -")]
    [InlineData("<165>1 ")]
    public void RejectsMalformedRfc5424Header(string message)
        => Assert.Equal(RejectReason.SyslogHeader, ParseBad(message));

    [Fact]
    public void ReportsMalformedRfc5424HeaderBeforeItsTenant()
        => Assert.Equal(RejectReason.SyslogHeader, ParseBad("<165>1 2026-11-22T23:42:25Z host - - - [broken"));

    // ---- rejects -------------------------------------------------------------------------------------

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\r\n\0")]
    public void RejectsEmptyDatagram(string message)
        => Assert.Equal(RejectReason.Empty, ParseBad(message));

    [Theory]
    [InlineData("190>Nov 22 23:42:25 vm shop_example: {}")]  // no '<'
    [InlineData("Nov 22 23:42:25 vm shop_example: {}")]
    [InlineData("{\"status\":\"200\"}")]
    [InlineData("<192>Nov 22 23:42:25 vm shop_example: {}")] // above local7.debug
    [InlineData("<999>Nov 22 23:42:25 vm shop_example: {}")]
    [InlineData("<0190>Nov 22 23:42:25 vm shop_example: {}")] // four digits
    [InlineData("<1900>Nov 22 23:42:25 vm shop_example: {}")]
    [InlineData("<190Nov 22 23:42:25 vm shop_example: {}")]  // no '>'
    [InlineData("<190 Nov 22 23:42:25 vm shop_example: {}")]
    [InlineData("<>Nov 22 23:42:25 vm shop_example: {}")]
    [InlineData("<-1>Nov 22 23:42:25 vm shop_example: {}")]
    [InlineData("<")]
    [InlineData("<1")]
    [InlineData(" <190>Nov 22 23:42:25 vm shop_example: {}")]
    public void RejectsMalformedPriority(string message)
        => Assert.Equal(RejectReason.SyslogHeader, ParseBad(message));

    [Theory]
    [InlineData("<190>Nov 22 23:42:25 vm ta/g: {}")]
    [InlineData("<190>Nov 22 23:42:25 ta/g: {}")]
    [InlineData("<190>Nov 22 23:42:25 vm a:b: {}")]
    [InlineData("<190>Nov 22 23:42:25 vm tag[1: {}")]
    [InlineData("<190>Nov 22 23:42:25 vm t\u00e9g: {}")]
    public void RejectsTenantOutsideTheAlphabet(string message)
        => Assert.Equal(RejectReason.InvalidTenant, ParseBad(message));

    [Fact]
    public void RejectsTenantLongerThanMax()
    {
        string tag = new('t', SyslogParser.MaxTenantLength + 1);
        Assert.Equal(RejectReason.InvalidTenant, ParseBad("<190>Nov 22 23:42:25 vm " + tag + ": {}"));
        Assert.Equal(RejectReason.InvalidTenant, ParseBad("<190>1 - vm " + tag + " - - - {}"));
    }

    [Fact]
    public void NeverThrowsOnRandomBytes()
    {
        var random = new Random(20261122);
        byte[] buffer = new byte[512];
        for (int i = 0; i < 10_000; i++)
        {
            int length = random.Next(buffer.Length + 1);
            Span<byte> message = buffer.AsSpan(0, length);
            random.NextBytes(message);

            // Give a quarter of the cases a valid PRI so the garbage reaches the header parsers.
            if (i % 4 == 0 && length >= 5)
            {
                "<13>"u8.CopyTo(message);
            }

            ParseAnything(message);
        }
    }

    [Fact]
    public void NeverThrowsOnMutatedValidMessages()
    {
        var random = new Random(42);
        var seeds = new byte[s_validMessages.Length][];
        for (int i = 0; i < seeds.Length; i++)
        {
            seeds[i] = Bytes(s_validMessages[i]);
        }

        ReadOnlySpan<byte> alphabet = " :[]\"\\-<>1\0\nZT.+"u8;
        for (int i = 0; i < 10_000; i++)
        {
            byte[] message = (byte[])seeds[i % seeds.Length].Clone();
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits; e++)
            {
                message[random.Next(message.Length)] = random.Next(2) == 0
                    ? alphabet[random.Next(alphabet.Length)]
                    : (byte)random.Next(256);
            }

            ParseAnything(message.AsSpan(0, random.Next(message.Length + 1)));
        }
    }

    // ---- truncation ----------------------------------------------------------------------------------

    private static readonly string[] s_validMessages =
    [
        "<190>Nov 22 23:42:25 vm shop_example: " + Json,
        "<190>Nov 22 23:42:25 blog: " + Json,
        "<13>Nov  2 03:04:05 host app[1234]: hello\r\n",
        "<190>2026-11-22T23:42:25.123456+00:00 host shop_example: " + Json + "\0",
        "<165>1 2026-11-22T23:42:25.003Z mymachine.example.com shop_example 1234 ID47 - " + Json,
        """<165>1 2026-11-22T23:42:25-05:00 host app 1 ID [a@1 k="x\"y\]z\\" q="a b"][c@2] """ + Json + "\n",
        "<14>1 - - app - - -",
    ];

    public static TheoryData<string> ValidMessages() => new(s_validMessages);

    [Theory]
    [MemberData(nameof(ValidMessages))]
    public void NeverThrowsOnAnyTruncatedPrefix(string text)
    {
        byte[] message = Bytes(text);
        ParseOk(message);
        for (int length = 0; length <= message.Length; length++)
        {
            // An exact-size copy, so any read past the end faults instead of seeing the rest.
            ParseAnything(message.AsSpan(0, length).ToArray());
        }
    }
}
