using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Json;

namespace FastIngest.Tests.Parsing.Json;

public sealed partial class NginxJsonParserTests
{
    // Lines of tests/data/access.json.log, written by NGINX 1.22 with tests/data/nginx.conf.
    private const int CachedLine = 2;        // upstream_cache_status HIT, User-Agent with \" and \\
    private const int QueryLine = 1;         // request_uri with a query, referer with \"
    private const int QueryApiLine = 5;      // request_uri "/api/users?id=7&name=%C3%A9t%C3%A9"
    private const int ControlLine = 10;      // \t and \u0001 in the User-Agent, raw UTF-8 in uri
    private const int RawUtf8Line = 11;      // raw UTF-8 in uri and User-Agent
    private const int BadRequestLine = 15;   // a 400 with empty method, uri, host, User-Agent
    private const int LongLine = 16;         // 8 KB: a 3000-byte uri and a 1500-byte User-Agent

    private const long CorpusSecond = 1_795_390_945_000; // 2026-11-22T23:42:25Z

    private static readonly byte[][] s_corpus = Corpus.JsonLines;

    private static string CorpusText(int line) => Encoding.UTF8.GetString(s_corpus[line]);

    /// <summary>A minimal valid line with <paramref name="fields"/> appended.</summary>
    private static string Minimal(string fields) => """{"msec":"1795390945.295","status":"200",""" + fields + "}";

    private static AccessLogRecord ParseOk(string line) => ParseOk(Encoding.UTF8.GetBytes(line));

    private static AccessLogRecord ParseOk(byte[] line)
    {
        var record = new AccessLogRecord(16);
        bool parsed = NginxJsonParser.TryParse(line, ref record, out RejectReason reason);
        Assert.True(parsed, $"rejected as {reason}");
        Assert.Equal(RejectReason.None, reason);
        return record;
    }

    private static RejectReason ParseBad(string line) => ParseBad(Encoding.UTF8.GetBytes(line));

    private static RejectReason ParseBad(byte[] line)
    {
        var record = new AccessLogRecord(16);
        Assert.False(NginxJsonParser.TryParse(line, ref record, out RejectReason reason));
        return reason;
    }

    private static string Text(in AccessLogRecord record, Utf8Slice slice) => Encoding.UTF8.GetString(record.Text(slice));

    // ---- corpus --------------------------------------------------------------------------------------

    [Fact]
    public void ReadsEveryCorpusLine()
    {
        Assert.Equal(17, s_corpus.Length);
        var record = new AccessLogRecord(16);
        for (int i = 0; i < s_corpus.Length; i++)
        {
            Assert.True(NginxJsonParser.TryParse(s_corpus[i], ref record, out RejectReason reason), $"line {i}: {reason}");
            Assert.InRange(record.TimestampMs, CorpusSecond, CorpusSecond + 999);
            Assert.Contains(record.Status, new ushort[] { 200, 400, 404, 503 });
            Assert.True(record.BytesSent > 0 && record.BodyBytesSent > 0, $"line {i}: sizes");
            Assert.InRange(record.RequestTimeMs, 0, 1);
            Assert.Equal("127.0.0.1", Text(record, record.RemoteAddr));
        }
    }

    [Fact]
    public void ReadsEveryFieldOfACachedCorpusLine()
    {
        AccessLogRecord record = ParseOk(s_corpus[CachedLine]);

        Assert.Equal(1_795_390_945_333, record.TimestampMs);
        Assert.Equal(200, record.Status);
        Assert.Equal(179, record.BytesSent);
        Assert.Equal(31, record.BodyBytesSent);
        Assert.Equal(0, record.RequestTimeMs);
        Assert.Equal(CacheStatus.Hit, record.CacheStatus);
        Assert.Equal("GET", Text(record, record.Method));
        Assert.Equal("/media/a.webp", Text(record, record.Path));
        Assert.Equal("127.0.0.1:18080", Text(record, record.Host));
        Assert.Equal("127.0.0.1", Text(record, record.RemoteAddr));
        Assert.Equal("bot \"with quotes\" \\ backslash", Text(record, record.UserAgent));
        Assert.True(record.Referer.IsEmpty);
    }

    [Fact]
    public void ReadsUriWithoutQueryAndRefererWithEscapedQuotes()
    {
        AccessLogRecord record = ParseOk(s_corpus[QueryLine]);

        Assert.Equal(1_795_390_945_314, record.TimestampMs);
        Assert.Equal("/p/acme/pricing.gif", Text(record, record.Path));
        Assert.Equal("https://example.com/search?q=\"quoted\"&x=1", Text(record, record.Referer));
        Assert.Equal("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", Text(record, record.UserAgent));
        Assert.Equal(CacheStatus.None, record.CacheStatus);
    }

    [Theory]
    [InlineData("""{"uri":"/landing","request_uri":"/landing?utm_source=news&x=%20y","msec":"1","status":"200"}""", "/landing", "utm_source=news&x=%20y")]
    [InlineData("""{"request_uri":"/landing?utm_source=news","uri":"/landing","msec":"1","status":"200"}""", "/landing", "utm_source=news")]
    [InlineData("""{"request_uri":"/l\u0061nding?ref=a\"b","msec":"1","status":"200"}""", "/landing", "ref=a\"b")]
    [InlineData("""{"uri":"/landing","request_uri":"/landing","msec":"1","status":"200"}""", "/landing", "")]
    [InlineData("""{"uri":"/decoded?x","msec":"1","status":"200"}""", "/decoded", "")]
    public void TheQueryIsRequestUrisWhicheverFieldGivesThePath(string line, string path, string query)
    {
        AccessLogRecord record = ParseOk(line);

        Assert.Equal(path, Text(record, record.Path));
        Assert.Equal(query, Text(record, record.Query));
    }

    [Fact]
    public void CutsRequestUriAtTheQueryWhenUriIsAbsent()
    {
        string line = CorpusText(QueryApiLine).Replace("\"uri\":\"/api/users\",", "", StringComparison.Ordinal);
        Assert.DoesNotContain("\"uri\"", line, StringComparison.Ordinal);

        AccessLogRecord record = ParseOk(line);

        Assert.Equal("/api/users", Text(record, record.Path));
    }

    [Theory]
    [InlineData("""{"uri":"/decoded","request_uri":"/raw?q=1","msec":"1","status":"200"}""")]
    [InlineData("""{"request_uri":"/raw?q=1","uri":"/decoded","msec":"1","status":"200"}""")]
    public void PrefersUriOverRequestUriWhateverTheOrder(string line)
    {
        AccessLogRecord record = ParseOk(line);

        Assert.Equal("/decoded", Text(record, record.Path));
    }

    [Fact]
    public void CutsWhatADecodedUriCarriesAfterAQuestionMark()
    {
        // $uri is decoded: /a%3Ftoken=x arrives as /a?token=x, and a token is no path (issue 14).
        AccessLogRecord record = ParseOk(Minimal("\"uri\":\"/a?token=SECRET123\""));

        Assert.Equal("/a", Text(record, record.Path));
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"-\"")]
    [InlineData("null")]
    public void FallsBackToRequestUriWhenUriIsEmpty(string uri)
    {
        AccessLogRecord record = ParseOk(Minimal($"\"uri\":{uri},\"request_uri\":\"/a/b?c=d?e\""));

        Assert.Equal("/a/b", Text(record, record.Path));
    }

    [Fact]
    public void ReadsControlEscapesAndRawUtf8FromTheCorpus()
    {
        AccessLogRecord control = ParseOk(s_corpus[ControlLine]);
        Assert.Equal("/p/acme/\u2713.gif", Text(control, control.Path));
        Assert.Equal("tab\there \u0001ctrl", Text(control, control.UserAgent));

        AccessLogRecord raw = ParseOk(s_corpus[RawUtf8Line]);
        Assert.Equal("/media/日本.png", Text(raw, raw.Path));
        Assert.Equal("Ünïcödé-UA/1.0 日本語", Text(raw, raw.UserAgent));
    }

    [Fact]
    public void ReadsTheEightKilobyteLine()
    {
        Assert.True(s_corpus[LongLine].Length > 8000);
        var record = new AccessLogRecord(16);

        Assert.True(NginxJsonParser.TryParse(s_corpus[LongLine], ref record, out _));

        Assert.Equal(404, record.Status);
        Assert.Equal("/" + new string('A', 3000), Text(record, record.Path));
        Assert.Equal(new string('U', 1500), Text(record, record.UserAgent));
        Assert.True(record.Host.IsEmpty); // an HTTP/1.0 request without Host
    }

    [Fact]
    public void ReadsTheBadRequestLineWithEmptyFieldsAsAbsent()
    {
        AccessLogRecord record = ParseOk(s_corpus[BadRequestLine]);

        Assert.Equal(1_795_390_945_839, record.TimestampMs);
        Assert.Equal(400, record.Status);
        Assert.Equal(309, record.BytesSent);
        Assert.Equal(157, record.BodyBytesSent);
        Assert.Equal(1, record.RequestTimeMs);
        Assert.Equal(CacheStatus.None, record.CacheStatus);
        Assert.True(record.Method.IsEmpty);
        Assert.True(record.Path.IsEmpty);
        Assert.True(record.Host.IsEmpty);
        Assert.True(record.UserAgent.IsEmpty);
        Assert.True(record.Referer.IsEmpty);
        Assert.Equal("127.0.0.1", Text(record, record.RemoteAddr));
    }

    // ---- escaping and unicode ------------------------------------------------------------------------

    [Fact]
    public void UnescapesUnicodeEscapesAndSurrogatePairs()
    {
        AccessLogRecord record = ParseOk(Minimal("""
            "http_user_agent":"caf\u00e9 \u65E5 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t \u0001 \u0000.",
            "uri":"/\u2713"
            """));

        Assert.Equal("café 日 😀 \"q\" \\ / \b\f\n\r\t \u0001 \0.", Text(record, record.UserAgent));
        Assert.Equal("/✓", Text(record, record.Path));
    }

    [Fact]
    public void KeepsRawUtf8IncludingFourByteSequences()
    {
        AccessLogRecord record = ParseOk(Minimal("\"http_user_agent\":\"😀 ñ 日本\""));

        Assert.Equal("😀 ñ 日本", Text(record, record.UserAgent));
    }

    [Theory]
    [InlineData("""\ud800x""", "\uFFFDx")]
    [InlineData("""\udc00x""", "\uFFFDx")]
    [InlineData("""\ud800\u0041""", "\uFFFDA")]
    [InlineData("""\ud83d\ud83d\ude00""", "\uFFFD😀")]
    public void ReplacesLoneSurrogatesInsteadOfThrowing(string escaped, string expected)
    {
        AccessLogRecord record = ParseOk(Minimal($"\"http_user_agent\":\"{escaped}\""));

        Assert.Equal(expected, Text(record, record.UserAgent));
    }

    [Fact]
    public void KeepsInvalidUtf8BytesAsNginxWroteThem()
    {
        // A request for /%FF%C3 puts these bytes, unescaped, into $uri.
        byte[] line = [.. Encoding.UTF8.GetBytes(Minimal("\"uri\":\"/x")[..^1]), 0xFF, 0xC3, (byte)'\\', (byte)'n', (byte)'"', (byte)'}'];

        AccessLogRecord record = ParseOk(line);

        Assert.Equal(new byte[] { (byte)'/', (byte)'x', 0xFF, 0xC3, (byte)'\n' }, record.Text(record.Path).ToArray());
    }

    [Fact]
    public void ComparesEscapedPropertyNamesUnescaped()
    {
        string longEscapedName = string.Concat(Enumerable.Repeat("\\u0061", 30));
        AccessLogRecord record = ParseOk($$"""{"m\u0073ec":"1795390945.295","st\u0061tus":"201","{{longEscapedName}}":"x","\u0075ri":"/e"}""");

        Assert.Equal(201, record.Status);
        Assert.Equal(1_795_390_945_295, record.TimestampMs);
        Assert.Equal("/e", Text(record, record.Path));
    }

    [Fact]
    public void UnescapesNumbersAndCacheStatusBeforeReadingThem()
    {
        AccessLogRecord record = ParseOk("""
            {"msec":"17953909\u0034\u0035.295","status":"\u0032\u00300","bytes_sent":"\u0031\u0032","upstream_cache_status":"MISS, \u0048IT"}
            """);

        Assert.Equal(1_795_390_945_295, record.TimestampMs);
        Assert.Equal(200, record.Status);
        Assert.Equal(12, record.BytesSent);
        Assert.Equal(CacheStatus.Hit, record.CacheStatus);
        Assert.Equal(0, record.ScratchLength); // unescaped in the free end of the scratch, not kept
    }

    // ---- values ----------------------------------------------------------------------------------------

    [Fact]
    public void AcceptsJsonNumbersWhereNginxWritesStrings()
    {
        AccessLogRecord record = ParseOk("""{"msec":1795390945.295,"status":200,"bytes_sent":1234,"body_bytes_sent":0,"request_time":0.5,"http_host":8080}""");

        Assert.Equal(1_795_390_945_295, record.TimestampMs);
        Assert.Equal(200, record.Status);
        Assert.Equal(1234, record.BytesSent);
        Assert.Equal(0, record.BodyBytesSent);
        Assert.Equal(500, record.RequestTimeMs);
        Assert.Equal("8080", Text(record, record.Host));
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"-\"")]
    [InlineData("null")]
    public void TreatsEmptyDashAndNullAsAbsent(string value)
    {
        string[] names =
        [
            "bytes_sent", "body_bytes_sent", "request_time", "upstream_cache_status", "request_method", "uri", "request_uri",
            "http_host", "host", "remote_addr", "http_user_agent", "http_referer",
        ];
        AccessLogRecord record = ParseOk(Minimal(string.Join(',', names.Select(name => $"\"{name}\":{value}"))));

        Assert.Equal((-1L, -1L, -1L), (record.BytesSent, record.BodyBytesSent, record.RequestTimeMs));
        Assert.Equal(CacheStatus.None, record.CacheStatus);
        Assert.True(record.Method.IsEmpty && record.Path.IsEmpty && record.Host.IsEmpty && record.RemoteAddr.IsEmpty);
        Assert.True(record.UserAgent.IsEmpty && record.Referer.IsEmpty);
        Assert.Equal(0, record.ScratchLength);
    }

    [Fact]
    public void LeavesMissingFieldsAbsent()
    {
        AccessLogRecord record = ParseOk("""{"status":"204","time_iso8601":"2026-11-22T23:42:25+00:00"}""");

        Assert.Equal(CorpusSecond, record.TimestampMs);
        Assert.Equal(204, record.Status);
        Assert.Equal((-1L, -1L, -1L), (record.BytesSent, record.BodyBytesSent, record.RequestTimeMs));
        Assert.Equal(CacheStatus.None, record.CacheStatus);
        Assert.True(record.Method.IsEmpty && record.Path.IsEmpty && record.Host.IsEmpty);
    }

    [Theory]
    [InlineData("0.000", 0)]
    [InlineData("0.123", 123)]
    [InlineData("0.1", 100)]
    [InlineData("1.2345", 1234)]
    [InlineData("0.0009", 0)]
    [InlineData("2", 2000)]
    [InlineData("61.007", 61_007)]
    public void ReadsRequestTimeAsWholeMillisecondsTruncatingExtraDigits(string value, long expectedMs)
    {
        AccessLogRecord record = ParseOk(Minimal($"\"request_time\":\"{value}\""));

        Assert.Equal(expectedMs, record.RequestTimeMs);
    }

    [Theory]
    [InlineData("HIT", nameof(CacheStatus.Hit))]
    [InlineData("MISS", nameof(CacheStatus.Miss))]
    [InlineData("EXPIRED", nameof(CacheStatus.Expired))]
    [InlineData("STALE", nameof(CacheStatus.Stale))]
    [InlineData("UPDATING", nameof(CacheStatus.Updating))]
    [InlineData("REVALIDATED", nameof(CacheStatus.Revalidated))]
    [InlineData("BYPASS", nameof(CacheStatus.Bypass))]
    [InlineData("SCARCE", nameof(CacheStatus.Other))]
    [InlineData("hit", nameof(CacheStatus.Hit))]
    [InlineData("MISS, HIT", nameof(CacheStatus.Hit))]
    [InlineData("HIT, MISS", nameof(CacheStatus.Miss))]
    [InlineData("MISS, MISS : EXPIRED", nameof(CacheStatus.Expired))]
    [InlineData("", nameof(CacheStatus.None))]
    [InlineData("-", nameof(CacheStatus.None))]
    public void ReadsTheLastUpstreamCacheStatus(string value, string expected)
    {
        AccessLogRecord record = ParseOk(Minimal($"\"upstream_cache_status\":\"{value}\""));

        Assert.Equal(Enum.Parse<CacheStatus>(expected), record.CacheStatus);
    }

    [Theory]
    [InlineData("""{"host":"b.example","msec":"1","status":"200"}""", "b.example")]
    [InlineData("""{"host":"b.example","http_host":"a.example:8080","msec":"1","status":"200"}""", "a.example:8080")]
    [InlineData("""{"http_host":"a.example:8080","host":"b.example","msec":"1","status":"200"}""", "a.example:8080")]
    [InlineData("""{"http_host":"","host":"b.example","msec":"1","status":"200"}""", "b.example")]
    public void ReadsHttpHostOrElseHost(string line, string expected)
    {
        AccessLogRecord record = ParseOk(line);

        Assert.Equal(expected, Text(record, record.Host));
    }

    [Fact]
    public void SkipsUnknownFieldsIncludingNestedObjectsAndArrays()
    {
        AccessLogRecord record = ParseOk("""
            {"geo":{"status":"999","msec":"x","deep":[1,{"uri":"/no"},[[]]]},"tags":[{"status":"1"},"uri",null],
             "flag":true,"n":-1.5e3,"status":"302","msec":"1795390945.295","uri":"/yes","after":{}}
            """);

        Assert.Equal(302, record.Status);
        Assert.Equal(1_795_390_945_295, record.TimestampMs);
        Assert.Equal("/yes", Text(record, record.Path));
    }

    [Fact]
    public void IgnoresObjectsWhereTextIsExpected()
    {
        AccessLogRecord record = ParseOk(Minimal("""
            "http_user_agent":{"name":"x"},"uri":["/a"],"upstream_cache_status":{"v":"HIT"},"http_referer":true,"http_host":"h"
            """));

        Assert.True(record.UserAgent.IsEmpty && record.Path.IsEmpty && record.Referer.IsEmpty);
        Assert.Equal(CacheStatus.None, record.CacheStatus);
        Assert.Equal("h", Text(record, record.Host));
    }

    // ---- time ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("""{"msec":"1795390945.295","time_iso8601":"2000-01-01T00:00:00+00:00","status":"200"}""")]
    [InlineData("""{"time_iso8601":"2000-01-01T00:00:00+00:00","msec":"1795390945.295","status":"200"}""")]
    [InlineData("""{"time_iso8601":"not a time","msec":"1795390945.295","status":"200"}""")]
    public void PrefersMsecOverIso8601WhateverTheOrder(string line)
    {
        AccessLogRecord record = ParseOk(line);

        Assert.Equal(1_795_390_945_295, record.TimestampMs);
    }

    [Theory]
    [InlineData("2026-11-22T23:42:25+00:00", CorpusSecond)]
    [InlineData("2026-11-22T23:42:25Z", CorpusSecond)]
    [InlineData("2026-11-22t23:42:25z", CorpusSecond)]
    [InlineData("2026-11-22 23:42:25Z", CorpusSecond)]
    [InlineData("2026-11-23T05:12:25+05:30", CorpusSecond)]
    [InlineData("2026-11-23T05:12:25+0530", CorpusSecond)]
    [InlineData("2026-11-22T16:42:25-07:00", CorpusSecond)]
    [InlineData("2026-11-22T23:42:25.5Z", CorpusSecond + 500)]
    [InlineData("2026-11-22T23:42:25.123456+00:00", CorpusSecond + 123)]
    [InlineData("1970-01-01T00:00:00Z", 0L)]
    [InlineData("2024-02-29T12:00:00Z", 1_709_208_000_000L)]
    [InlineData("2000-03-01T00:00:00Z", 951_868_800_000L)]
    public void ReadsIso8601WithAnyOffsetWhenMsecIsAbsent(string time, long expectedMs)
    {
        AccessLogRecord record = ParseOk($$"""{"time_iso8601":"{{time}}","msec":"-","status":"200"}""");

        Assert.Equal(expectedMs, record.TimestampMs);
    }

    [Fact]
    public void ReadsMsecExactlyWithoutFloatingPointRounding()
    {
        // 1795390945.295 as a double is 1795390945.2949998...; truncating it would give ...294.
        AccessLogRecord record = ParseOk("""{"msec":"1795390945.295","status":"200"}""");

        Assert.Equal(1_795_390_945_295, record.TimestampMs);
    }

    // ---- line shape ------------------------------------------------------------------------------------

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData(" \t \r\n")]
    public void ToleratesTrailingWhitespaceAndLineEndings(string ending)
    {
        AccessLogRecord record = ParseOk([.. s_corpus[CachedLine], .. Encoding.ASCII.GetBytes(ending)]);

        Assert.Equal(CacheStatus.Hit, record.CacheStatus);
    }

    [Fact]
    public void ResetsTheRecordBetweenLines()
    {
        var record = new AccessLogRecord(16);
        Assert.True(NginxJsonParser.TryParse(s_corpus[CachedLine], ref record, out _));
        Assert.Equal(CacheStatus.Hit, record.CacheStatus);

        Assert.True(NginxJsonParser.TryParse(s_corpus[BadRequestLine], ref record, out _));

        Assert.Equal(CacheStatus.None, record.CacheStatus);
        Assert.True(record.UserAgent.IsEmpty && record.Path.IsEmpty && record.Method.IsEmpty);
        Assert.Equal(400, record.Status);
    }

    [Fact]
    public void GrowsTheScratchBufferOnlyUntilTheLongestLineFits()
    {
        var record = new AccessLogRecord(16);
        foreach (byte[] line in s_corpus)
        {
            Assert.True(NginxJsonParser.TryParse(line, ref record, out _));
        }

        byte[] grown = record.Scratch;
        Assert.InRange(grown.Length, 4096, 2 * s_corpus[LongLine].Length);
        foreach (byte[] line in s_corpus)
        {
            Assert.True(NginxJsonParser.TryParse(line, ref record, out _));
        }

        Assert.Same(grown, record.Scratch);
    }

    [Fact]
    public void WorksOnADefaultRecordWithoutAScratchBuffer()
    {
        AccessLogRecord record = default;

        Assert.True(NginxJsonParser.TryParse(s_corpus[CachedLine], ref record, out _));

        Assert.Equal("bot \"with quotes\" \\ backslash", Text(record, record.UserAgent));
        Assert.Equal(179, record.BytesSent);
    }

    // ---- rejects ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n")]
    public void RejectsAnEmptyLine(string line)
    {
        Assert.Equal(RejectReason.Empty, ParseBad(line));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("not json 0")]
    [InlineData("{")]
    [InlineData("}")]
    [InlineData("[]")]
    [InlineData("[{\"msec\":\"1\",\"status\":\"200\"}]")]
    [InlineData("\"str\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("{\"msec\":\"1\",\"status\":\"200\"")]
    [InlineData("{\"msec\":\"1\",\"status\":\"200\"}x")]
    [InlineData("{\"msec\":\"1\",\"status\":\"200\"}{}")]
    [InlineData("{\"msec\":\"1\",\"status\":\"200\",}")]
    [InlineData("{'msec':'1','status':'200'}")]
    [InlineData("{\"msec\":\"1\",\"status\":\"200\",\"ua\":\"a\u0001b\"}")]
    [InlineData("{\"msec\":\"1\",\"status\":\"200\",\"ua\":\"\\x\"}")]
    [InlineData("{\"msec\":\"1\",\"status\":\"200\",\"ua\":\"\\u12\"}")]
    [InlineData("{\"msec\":\"1\" \"status\":\"200\"}")]
    [InlineData("{\"status\":\"abc\",\"msec\":\"x\",\"bytes_sent\":\"y\"")]
    public void RejectsWhatIsNotOneJsonObject(string line)
    {
        Assert.Equal(RejectReason.NotJson, ParseBad(line));
    }

    [Fact]
    public void RejectsNestingDeeperThanTheReaderAllows()
    {
        string deep = new string('[', 100) + new string(']', 100);

        Assert.Equal(RejectReason.NotJson, ParseBad(Minimal($"\"x\":{deep}")));
    }

    public static TheoryData<int> PrefixLengths()
    {
        var lengths = new TheoryData<int>();
        for (int length = 0; length < s_corpus[ControlLine].Length; length++)
        {
            lengths.Add(length);
        }

        return lengths;
    }

    [Theory]
    [MemberData(nameof(PrefixLengths))]
    public void RejectsEveryTruncatedPrefixOfACorpusLine(int length)
    {
        var record = new AccessLogRecord(16);

        bool parsed = NginxJsonParser.TryParse(s_corpus[ControlLine].AsSpan(0, length), ref record, out RejectReason reason);

        Assert.False(parsed);
        Assert.Equal(length == 0 ? RejectReason.Empty : RejectReason.NotJson, reason);
    }

    [Fact]
    public void NeverThrowsOnAnyPrefixOfAnyCorpusLine()
    {
        var record = new AccessLogRecord(16);
        foreach (byte[] line in s_corpus)
        {
            for (int length = 1; length < line.Length; length++)
            {
                Assert.False(NginxJsonParser.TryParse(line.AsSpan(0, length), ref record, out RejectReason reason));
                Assert.Equal(RejectReason.NotJson, reason);
            }
        }
    }

    [Theory]
    [InlineData("""{"msec":"1795390945.295"}""")]
    [InlineData("""{"msec":"1795390945.295","status":""}""")]
    [InlineData("""{"msec":"1795390945.295","status":"-"}""")]
    [InlineData("""{"msec":"1795390945.295","status":null}""")]
    [InlineData("""{"status":null}""")]
    public void RejectsAMissingStatus(string line)
    {
        Assert.Equal(RejectReason.MissingStatus, ParseBad(line));
    }

    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("\"99\"")]
    [InlineData("\"600\"")]
    [InlineData("\"0\"")]
    [InlineData("\"-200\"")]
    [InlineData("\"200.0\"")]
    [InlineData("\"20x\"")]
    [InlineData("\" 200\"")]
    [InlineData("\"99999999999999999999999\"")]
    [InlineData("99")]
    [InlineData("2e2")]
    [InlineData("true")]
    [InlineData("{\"code\":200}")]
    [InlineData("[200]")]
    public void RejectsAnInvalidStatus(string status)
    {
        Assert.Equal(RejectReason.InvalidStatus, ParseBad($$"""{"msec":"1795390945.295","status":{{status}}}"""));
    }

    [Theory]
    [InlineData("""{"status":"200"}""")]
    [InlineData("""{"status":"200","msec":"-","time_iso8601":""}""")]
    [InlineData("""{"status":"200","msec":null,"time_iso8601":"-"}""")]
    public void RejectsAMissingTime(string line)
    {
        Assert.Equal(RejectReason.MissingTime, ParseBad(line));
    }

    [Theory]
    [InlineData("time_iso8601", "2026-13-45T25:61:61+00:00")]
    [InlineData("time_iso8601", "2026-11-31T00:00:00+00:00")]
    [InlineData("time_iso8601", "2026-02-29T00:00:00+00:00")]
    [InlineData("time_iso8601", "2026-11-22T24:00:00+00:00")]
    [InlineData("time_iso8601", "2026-11-22T23:42:60Z")]
    [InlineData("time_iso8601", "2026-11-22T23:42:25")]
    [InlineData("time_iso8601", "2026-11-22T23:42:25+5:30")]
    [InlineData("time_iso8601", "2026-11-22T23:42:25+05:30:00")]
    [InlineData("time_iso8601", "2026-11-22T23:42:25.Z")]
    [InlineData("time_iso8601", "2026-11-22")]
    [InlineData("time_iso8601", "0000-01-01T00:00:00Z")]
    [InlineData("time_iso8601", "yesterday")]
    [InlineData("msec", "abc")]
    [InlineData("msec", "1795390945.")]
    [InlineData("msec", ".295")]
    [InlineData("msec", "1.2.3")]
    [InlineData("msec", "-1795390945.295")]
    [InlineData("msec", "1e9")]
    [InlineData("msec", "1795390945,295")]
    public void RejectsAnInvalidTime(string field, string value)
    {
        Assert.Equal(RejectReason.InvalidTime, ParseBad($$"""{"{{field}}":"{{value}}","status":"200"}"""));
    }

    [Fact]
    public void RejectsAnInvalidMsecEvenWhenIso8601IsGood()
    {
        // msec is the authority when present: a broken one means a broken log_format, which should show.
        Assert.Equal(RejectReason.InvalidTime, ParseBad("""{"time_iso8601":"2026-11-22T23:42:25+00:00","msec":"oops","status":"200"}"""));
    }

    [Theory]
    [InlineData("bytes_sent", "\"-5\"")]
    [InlineData("bytes_sent", "\"1e3\"")]
    [InlineData("bytes_sent", "\"abc\"")]
    [InlineData("bytes_sent", "\"1.5\"")]
    [InlineData("bytes_sent", "\" 12\"")]
    [InlineData("bytes_sent", "-5")]
    [InlineData("bytes_sent", "1e3")]
    [InlineData("bytes_sent", "{}")]
    [InlineData("body_bytes_sent", "\"-5\"")]
    [InlineData("body_bytes_sent", "\"1e3\"")]
    [InlineData("body_bytes_sent", "\"abc\"")]
    [InlineData("request_time", "\"-0.1\"")]
    [InlineData("request_time", "\"1e3\"")]
    [InlineData("request_time", "\"abc\"")]
    [InlineData("request_time", "\"0.1, 0.2\"")]
    [InlineData("request_time", "false")]
    public void RejectsAnInvalidSizeOrRequestTime(string field, string value)
    {
        Assert.Equal(RejectReason.InvalidNumber, ParseBad(Minimal($"\"{field}\":{value}")));
    }

    [Theory]
    [InlineData("bytes_sent", "1099511627776")]
    [InlineData("body_bytes_sent", "\"1099511627776\"")]
    [InlineData("request_time", "\"86400.000\"")]
    [InlineData("request_time", "86400")]
    public void AcceptsSizesUpTo2Pow40AndRequestTimesUpToADay(string field, string value)
    {
        AccessLogRecord record = ParseOk(Minimal($"\"{field}\":{value}"));

        Assert.Equal(field == "request_time" ? AccessLogRecord.MaxRequestTimeMs : AccessLogRecord.MaxBytes, field switch
        {
            "bytes_sent" => record.BytesSent,
            "body_bytes_sent" => record.BodyBytesSent,
            _ => record.RequestTimeMs,
        });
    }

    // 18 digits parse into a long, and 2^24 of them would wrap a tenant's UInt64 sum: no real response
    // sends more than a terabyte or takes more than a day (issue 13, item 6).
    [Theory]
    [InlineData("bytes_sent", "1099511627777")]
    [InlineData("bytes_sent", "\"999999999999999999\"")]
    [InlineData("body_bytes_sent", "1099511627777")]
    [InlineData("body_bytes_sent", "\"999999999999999999\"")]
    [InlineData("request_time", "\"86400.001\"")]
    [InlineData("request_time", "\"999999999999999.999\"")]
    public void RejectsSizesPast2Pow40AndRequestTimesPastADay(string field, string value)
    {
        Assert.Equal(RejectReason.InvalidNumber, ParseBad(Minimal($"\"{field}\":{value}")));
    }

    [Theory]
    [InlineData("""{"bytes_sent":"x","msec":"x","status":"abc"}""", nameof(RejectReason.InvalidStatus))]
    [InlineData("""{"bytes_sent":"x","msec":"x"}""", nameof(RejectReason.MissingStatus))]
    [InlineData("""{"bytes_sent":"x","msec":"x","status":"200"}""", nameof(RejectReason.InvalidTime))]
    [InlineData("""{"bytes_sent":"x","status":"200"}""", nameof(RejectReason.MissingTime))]
    [InlineData("""{"bytes_sent":"x","msec":"1","status":"200"}""", nameof(RejectReason.InvalidNumber))]
    public void ReportsStatusThenTimeThenNumbers(string line, string expected)
    {
        Assert.Equal(Enum.Parse<RejectReason>(expected), ParseBad(line));
    }

    // ---- allocations -----------------------------------------------------------------------------------

    [Fact]
    public void AllocatesNothingOnceWarm()
    {
        var record = new AccessLogRecord(16);
        foreach (byte[] line in s_corpus)
        {
            Assert.True(NginxJsonParser.TryParse(line, ref record, out _));
        }

        int parsed = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            foreach (byte[] line in s_corpus)
            {
                if (NginxJsonParser.TryParse(line, ref record, out _))
                {
                    parsed++;
                }
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100 * s_corpus.Length, parsed);
        Assert.Equal(0, allocated);
    }
}
