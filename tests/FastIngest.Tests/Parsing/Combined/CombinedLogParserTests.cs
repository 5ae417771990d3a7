using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Combined;

namespace FastIngest.Tests.Parsing.Combined;

public sealed class CombinedLogParserTests
{
    private static AccessLogRecord s_record = new(64);

    private static string Parse(string line)
    {
        if (!CombinedLogParser.TryParse(Encoding.UTF8.GetBytes(line), ref s_record, out RejectReason reason))
        {
            return "!" + RejectReasons.Name(reason);
        }

        AccessLogRecord r = s_record;
        return $"{r.TimestampMs} {r.Status} {r.BodyBytesSent} {r.BytesSent} {r.RequestTimeMs} {r.CacheStatus} " +
            $"{Encoding.UTF8.GetString(r.Text(r.Method))} {Encoding.UTF8.GetString(r.Text(r.Path))} {Encoding.UTF8.GetString(r.Text(r.RemoteAddr))} " +
            $"[{Encoding.UTF8.GetString(r.Text(r.Referer))}] [{Encoding.UTF8.GetString(r.Text(r.UserAgent))}]";
    }

    [Theory]
    [InlineData("GET /landing?utm_source=news&x=1 HTTP/1.1", "/landing", "utm_source=news&x=1")]
    [InlineData("GET /landing?ref=\\x22q\\x22 HTTP/1.1", "/landing", "ref=\"q\"")]
    [InlineData("GET /landing HTTP/1.1", "/landing", "")]
    [InlineData("GET /landing? HTTP/1.1", "/landing", "")]
    [InlineData("-", "", "")]
    public void TheRequestsQueryIsKeptApartFromItsPath(string request, string path, string query)
    {
        Assert.StartsWith("1795", Parse($"10.0.0.1 - - [23/Nov/2026:06:42:21 +0100] \"{request}\" 200 5 \"-\" \"curl/8\""), StringComparison.Ordinal);
        Assert.Equal(path, Encoding.UTF8.GetString(s_record.Text(s_record.Path)));
        Assert.Equal(query, Encoding.UTF8.GetString(s_record.Text(s_record.Query)));
    }

    [Fact]
    public void NginxsOwnCombinedLineIsRead()
    {
        // Real nginx-light 1.22 output (log_format combined), the time at -0700.
        Assert.Equal(
            "971211336000 200 2326 -1 -1 None GET /apache_pb.gif 127.0.0.1 [http://www.example.com/start.html] [Mozilla/4.08 [en] (Win98; I ;Nav)]",
            Parse("127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif?x=1 HTTP/1.0\" 200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"\n"));
    }

    [Theory]
    [InlineData(" \"HIT\"", "Hit")]
    [InlineData(" \"MISS\"", "Miss")]
    [InlineData(" cache=EXPIRED", "Expired")]
    [InlineData(" \"-\"", "None")]
    [InlineData(" \"MISS, HIT\"", "Hit")]
    [InlineData("", "None")]
    [InlineData(" 0.123 extra", "None")]
    public void AnAppendedCacheStatusIsRead(string tail, string status)
    {
        string line = "10.0.0.1 - - [23/Nov/2026:06:42:21 +0000] \"GET /media/a.mp4 HTTP/1.1\" 206 1000 \"-\" \"curl/8\"" + tail;
        Assert.Equal(status, Parse(line).Split(' ')[5]);
    }

    [Fact]
    public void DashesAndOddRequestsAreAbsentValuesNotErrors()
    {
        Assert.Equal("1795416141000 400 -1 -1 -1 None   192.0.2.9 [] []",
            Parse("192.0.2.9 - - [23/Nov/2026:06:42:21 +0000] \"-\" 400 - \"-\" \"-\""));
        // A TLS handshake sent to a plain-HTTP port: no method, no path, still a request that counts.
        Assert.Equal("1795416141000 400 0 -1 -1 None   192.0.2.9 [] [x \"y\"]",
            Parse("192.0.2.9 - - [23/Nov/2026:06:42:21 +0000] \"\\x16\\x03\\x01\" 400 0 \"-\" \"x \\x22y\\x22\""));
    }

    [Theory]
    [InlineData("", "!empty")]
    [InlineData("not a log line", "!not_combined")]
    [InlineData("1.2.3.4 - - [23/Nov/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 200", "!not_combined")]
    [InlineData("1.2.3.4 - - [23/Nov/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 999 1 \"-\" \"-\"", "!invalid_status")]
    [InlineData("1.2.3.4 - - [23/Nov/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 200 1099511627777 \"-\" \"-\"", "!invalid_number")]
    [InlineData("1.2.3.4 - - [23/Nov/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 200 999999999999999999 \"-\" \"-\"", "!invalid_number")]
    [InlineData("1.2.3.4 - - [31/Feb/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"", "!invalid_time")]
    [InlineData("1.2.3.4 - - [23/Foo/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"", "!invalid_time")]
    [InlineData("1.2.3.4 - - [23/Nov/2026:06:42:21] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"", "!invalid_time")]
    public void BrokenLinesSayWhy(string line, string expected) => Assert.Equal(expected, Parse(line));

    [Fact]
    public void ParsingAllocatesNothingOnceWarm()
    {
        byte[] line = Encoding.UTF8.GetBytes("10.0.0.1 - - [23/Nov/2026:06:42:21 +0100] \"GET /download/file1.zip?x=1 HTTP/1.1\" 200 123456 \"https://example.com/\" \"Mozilla/5.0 (X11; Linux x86_64)\" \"HIT\"");
        var record = new AccessLogRecord(16);
        Assert.True(CombinedLogParser.TryParse(line, ref record, out _));
        int parsed = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            parsed += CombinedLogParser.TryParse(line, ref record, out _) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, parsed);
        Assert.Equal(1_795_412_541_000, record.TimestampMs);
    }

    [Theory]
    [InlineData("127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif?x=1 HTTP/1.0\" 200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"\n")]
    [InlineData("192.0.2.9 - - [23/Nov/2026:06:42:21 +0000] \"-\" 400 - \"-\" \"-\"")]
    [InlineData("192.0.2.9 - - [23/Nov/2026:06:42:21 +0000] \"\\x16\\x03\\x01\" 400 0 \"-\" \"curl/8\" \"HIT\"")]
    public void ReferencesEveryValueInTheBufferAndReadsAsTheCopyDoes(string text)
    {
        byte[] line = Encoding.UTF8.GetBytes(text);
        byte[] buffer = [.. "junk"u8, .. line, .. "junk"u8];
        var copied = new AccessLogRecord(16);
        var inPlace = new AccessLogRecord(16);

        Assert.True(CombinedLogParser.TryParse(line, ref copied, out _));
        Assert.True(CombinedLogParser.TryParse(buffer, 4, line.Length, ref inPlace, out _));

        AccessLogRecordAssert.Same(copied, inPlace);
        Assert.Equal(0, inPlace.ScratchLength);
        Assert.True(inPlace.RemoteAddr.Start < 0);
    }

    [Fact]
    public void ReadsEveryCorpusRequestInPlaceAsItReadsItCopiedAndAsItsJsonLine()
    {
        var copied = new AccessLogRecord(16);
        var inPlace = new AccessLogRecord(16);
        var json = new AccessLogRecord(16);
        int escaped = 0;
        foreach (byte[] jsonLine in Corpus.JsonLines)
        {
            byte[] line = ToCombined(jsonLine);
            Assert.True(CombinedLogParser.TryParse(line, ref copied, out RejectReason reason), reason.ToString());
            Assert.True(CombinedLogParser.TryParse(line, 0, line.Length, ref inPlace, out _));
            AccessLogRecordAssert.Same(copied, inPlace);
            escaped += inPlace.ScratchLength > 0 ? 1 : 0;

            // The same request reads the same whichever format NGINX wrote it in (issue 16).
            Assert.True(FastIngest.Core.Parsing.Json.NginxJsonParser.TryParse(jsonLine, ref json, out _));
            Assert.Equal(Encoding.UTF8.GetString(json.Text(json.Path)), Encoding.UTF8.GetString(inPlace.Text(inPlace.Path)));
            Assert.Equal(json.Text(json.Path).ToArray(), inPlace.Text(inPlace.Path).ToArray());
            Assert.Equal(json.Text(json.Referer).ToArray(), inPlace.Text(inPlace.Referer).ToArray());
            Assert.Equal(json.Text(json.UserAgent).ToArray(), inPlace.Text(inPlace.UserAgent).ToArray());
            Assert.Equal(json.Text(json.RemoteAddr).ToArray(), inPlace.Text(inPlace.RemoteAddr).ToArray());
        }

        // The corpus has unicode and quotes: the escaping path is taken, and most lines stay in place.
        Assert.InRange(escaped, 1, Corpus.JsonLines.Length - 1);
    }

    [Theory]
    [InlineData("/q\\x22uote", "/q\"uote")]
    [InlineData("/back\\x5Cslash", "/back\\slash")]
    [InlineData("/caf\\xC3\\xA9", "/caf\u00e9")]
    [InlineData("/caf\\xc3\\xa9", "/caf\u00e9")]
    [InlineData("/tab\\x09", "/tab\t")]
    [InlineData("/apache\\\"quote", "/apache\"quote")]
    [InlineData("/apache\\\\back", "/apache\\back")]
    [InlineData("/odd\\q\\x4", "/odd\\q\\x4")]
    [InlineData("/\\x5Cx41", "/\\x41")]
    public void EscapedRequestPathsAreDecoded(string escaped, string path)
    {
        string line = $"10.0.0.1 - - [23/Nov/2026:06:42:21 +0000] \"GET {escaped}?a=\\x22 HTTP/1.1\" 200 5 \"-\" \"-\"";
        byte[] bytes = Encoding.UTF8.GetBytes(line);
        var copied = new AccessLogRecord(16);
        var inPlace = new AccessLogRecord(16);

        Assert.True(CombinedLogParser.TryParse(bytes, ref copied, out RejectReason reason), reason.ToString());
        Assert.True(CombinedLogParser.TryParse(bytes, 0, bytes.Length, ref inPlace, out _));

        Assert.Equal(path, Encoding.UTF8.GetString(inPlace.Text(inPlace.Path)));
        AccessLogRecordAssert.Same(copied, inPlace);
        // Only the escaped value went to scratch; the method is still where it stands.
        Assert.True(inPlace.Method.Start < 0);
        Assert.True(inPlace.Path.Start >= 0);
    }

    [Fact]
    public void AnEscapedQuoteDoesNotEndItsValue()
    {
        // NGINX writes \x22; Apache (and a hand-written line) \"; neither ends the quoted value.
        Assert.Equal("1795416141000 200 5 -1 -1 Hit GET /a 10.0.0.1 [https://r.example/?q=\"x\"] [Agent \"quoted\" \\ \u00fc]",
            Parse("10.0.0.1 - - [23/Nov/2026:06:42:21 +0000] \"GET /a HTTP/1.1\" 200 5 \"https://r.example/?q=\\\"x\\x22\" \"Agent \\x22quoted\\\" \\x5C \\xC3\\xBC\" \"HIT\""));
        // A backslash that escapes the closing quote leaves the value open: the line is broken, not misread.
        Assert.Equal("!not_combined", Parse("10.0.0.1 - - [23/Nov/2026:06:42:21 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"x\\\""));
        Assert.Equal("!not_combined", Parse("10.0.0.1 - - [23/Nov/2026:06:42:21 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"x\\"));
    }

    [Fact]
    public void ParsingAnEscapedLineInPlaceAllocatesNothingOnceWarm()
    {
        byte[] line = Encoding.UTF8.GetBytes("10.0.0.1 - - [23/Nov/2026:06:42:21 +0100] \"GET /caf\\xC3\\xA9/\\x22q\\x22?x=1 HTTP/1.1\" 200 123456 \"https://example.com/\\xE2\\x82\\xAC\" \"Mozilla/5.0 \\x22X\\x22\" \"HIT\"");
        var record = new AccessLogRecord(16);
        Assert.True(CombinedLogParser.TryParse(line, 0, line.Length, ref record, out _));
        int parsed = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            parsed += CombinedLogParser.TryParse(line, 0, line.Length, ref record, out _) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, parsed);
        Assert.Equal("/caf\u00e9/\"q\"", Encoding.UTF8.GetString(record.Text(record.Path)));
        Assert.Equal("Mozilla/5.0 \"X\"", Encoding.UTF8.GetString(record.Text(record.UserAgent)));
    }

    [Fact]
    public void ParsingInPlaceAllocatesNothingOnceWarm()
    {
        byte[] line = Encoding.UTF8.GetBytes("10.0.0.1 - - [23/Nov/2026:06:42:21 +0100] \"GET /download/file1.zip?x=1 HTTP/1.1\" 200 123456 \"https://example.com/\" \"Mozilla/5.0 (X11; Linux x86_64)\" \"HIT\"");
        var record = new AccessLogRecord(16);
        Assert.True(CombinedLogParser.TryParse(line, 0, line.Length, ref record, out _));
        int parsed = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            parsed += CombinedLogParser.TryParse(line, 0, line.Length, ref record, out _) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, parsed);
        Assert.Equal("/download/file1.zip", Encoding.UTF8.GetString(record.Text(record.Path)));
    }

    /// <summary>The corpus request as NGINX's combined format would log it (its default escaping, <see cref="NginxEscape"/>).</summary>
    private static byte[] ToCombined(byte[] json)
    {
        var record = new AccessLogRecord(16);
        Assert.True(FastIngest.Core.Parsing.Json.NginxJsonParser.TryParse(json, ref record, out _));
        string Field(Utf8Slice slice) => slice.IsEmpty ? "-" : NginxEscape.Escape(record.Text(slice));
        // A request NGINX could not read has no method and no path: its $request is "-".
        string request = record.Method.IsEmpty || record.Path.IsEmpty ? "-" : $"{Field(record.Method)} {Field(record.Path)} HTTP/1.1";
        return Encoding.ASCII.GetBytes(
            $"{Field(record.RemoteAddr)} - - [23/Nov/2026:06:42:21 +0000] \"{request}\" {record.Status} {record.BodyBytesSent} \"{Field(record.Referer)}\" \"{Field(record.UserAgent)}\"");
    }
}
