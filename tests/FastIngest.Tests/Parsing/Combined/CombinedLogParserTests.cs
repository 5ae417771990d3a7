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
        Assert.Equal("1795416141000 400 0 -1 -1 None   192.0.2.9 [] [x \\x22y\\x22]",
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
    [InlineData("192.0.2.9 - - [23/Nov/2026:06:42:21 +0000] \"\\x16\\x03\\x01\" 400 0 \"-\" \"x \\x22y\\x22\" \"HIT\"")]
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
    public void ReadsEveryCorpusRequestInPlaceAsItReadsItCopied()
    {
        var copied = new AccessLogRecord(16);
        var inPlace = new AccessLogRecord(16);
        foreach (byte[] json in Corpus.JsonLines)
        {
            byte[] line = ToCombined(json);
            Assert.True(CombinedLogParser.TryParse(line, ref copied, out RejectReason reason), reason.ToString());
            Assert.True(CombinedLogParser.TryParse(line, 0, line.Length, ref inPlace, out _));
            AccessLogRecordAssert.Same(copied, inPlace);
            Assert.Equal(0, inPlace.ScratchLength);
        }
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

    /// <summary>The corpus request as NGINX's combined format would log it (quotes as \x22).</summary>
    private static byte[] ToCombined(byte[] json)
    {
        var record = new AccessLogRecord(16);
        Assert.True(FastIngest.Core.Parsing.Json.NginxJsonParser.TryParse(json, ref record, out _));
        string Field(Utf8Slice slice) => slice.IsEmpty ? "-" : Encoding.UTF8.GetString(record.Text(slice)).Replace("\"", "\\x22", StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(
            $"{Field(record.RemoteAddr)} - - [23/Nov/2026:06:42:21 +0000] \"{Field(record.Method)} {Field(record.Path)} HTTP/1.1\" {record.Status} {record.BodyBytesSent} \"{Field(record.Referer)}\" \"{Field(record.UserAgent)}\"");
    }
}
