using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Json;

namespace FastIngest.Tests.Parsing.Json;

/// <summary>
/// The in-place overload (the shard's path): plain values are referenced in the caller's buffer, escaped
/// ones unescaped into scratch, and the record reads the same as the copying overload's (issue 15, item 4).
/// </summary>
public sealed partial class NginxJsonParserTests
{
    /// <summary>Bytes before the line in the buffer, so an offset mix-up cannot pass unnoticed.</summary>
    private const int Before = 7;

    public static TheoryData<string> TextFields => new()
    {
        "request_method", "uri", "request_uri", "http_host", "host", "remote_addr", "http_user_agent", "http_referer",
    };

    private static Utf8Slice Field(in AccessLogRecord record, string name) => name switch
    {
        "request_method" => record.Method,
        "uri" or "request_uri" => record.Path,
        "http_host" or "host" => record.Host,
        "remote_addr" => record.RemoteAddr,
        "http_user_agent" => record.UserAgent,
        "http_referer" => record.Referer,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>The line at <see cref="Before"/> in a buffer with junk around it.</summary>
    private static byte[] InBuffer(byte[] line)
    {
        byte[] buffer = new byte[Before + line.Length + 5];
        buffer.AsSpan().Fill((byte)'#');
        line.CopyTo(buffer, Before);
        return buffer;
    }

    private static AccessLogRecord ParseInPlace(byte[] buffer, int length)
    {
        var record = new AccessLogRecord(16);
        bool parsed = NginxJsonParser.TryParse(buffer, Before, length, ref record, out RejectReason reason);
        Assert.True(parsed, $"rejected as {reason}");
        return record;
    }

    [Theory]
    [MemberData(nameof(TextFields))]
    public void ReferencesAPlainTextValueInTheBufferInsteadOfCopyingIt(string name)
    {
        byte[] line = Encoding.UTF8.GetBytes(Minimal($"\"{name}\":\"plain-välue\""));
        byte[] buffer = InBuffer(line);

        AccessLogRecord record = ParseInPlace(buffer, line.Length);

        Assert.Equal("plain-välue", Text(record, Field(record, name)));
        Assert.True(Field(record, name).Start < 0, "referenced in the line, not in scratch");
        Assert.Equal(0, record.ScratchLength);

        // The proof that it is a reference: the record reads what the buffer holds now.
        int at = Before + line.AsSpan().IndexOf("plain"u8);
        buffer[at] = (byte)'P';
        Assert.Equal("Plain-välue", Text(record, Field(record, name)));
    }

    [Theory]
    [MemberData(nameof(TextFields))]
    public void UnescapesAnEscapedTextValueIntoScratch(string name)
    {
        byte[] line = Encoding.UTF8.GetBytes(Minimal($$"""
            "{{name}}":"a\"b\\c\/d\u00e9\ud83d\ude00\t"
            """));

        AccessLogRecord record = ParseInPlace(InBuffer(line), line.Length);

        Assert.Equal("a\"b\\c/dé😀\t", Text(record, Field(record, name)));
        Assert.True(Field(record, name).Start >= 0, "unescaped into scratch");
        AccessLogRecordAssert.Same(ParseOk(line), record);
    }

    [Theory]
    [MemberData(nameof(TextFields))]
    public void ReadsAbsentTextValuesAsAbsentWhetherEscapedOrNot(string name)
    {
        foreach (string value in new[] { "\"\"", "\"-\"", "\"\\u002d\"", "null" })
        {
            byte[] line = Encoding.UTF8.GetBytes(Minimal($"\"{name}\":{value}"));

            AccessLogRecord record = ParseInPlace(InBuffer(line), line.Length);

            Assert.True(Field(record, name).IsEmpty, value);
        }
    }

    [Theory]
    [InlineData("\"status\":\"404\"", "\"status\":\"\\u0034\\u00304\"")]
    [InlineData("\"msec\":\"1795390946.5\"", "\"msec\":\"17953909\\u00346.5\"")]
    [InlineData("\"time_iso8601\":\"2026-11-22T23:42:26+00:00\",\"msec\":null", "\"time_iso8601\":\"2026-11-22T23:42:26\\u002b00:00\",\"msec\":null")]
    [InlineData("\"bytes_sent\":\"179\"", "\"bytes_sent\":\"\\u0031\\u00379\"")]
    [InlineData("\"body_bytes_sent\":\"31\"", "\"body_bytes_sent\":\"\\u00331\"")]
    [InlineData("\"request_time\":\"0.250\"", "\"request_time\":\"0\\u002e250\"")]
    [InlineData("\"upstream_cache_status\":\"HIT\"", "\"upstream_cache_status\":\"\\u0048IT\"")]
    [InlineData("\"http_dnt\":\"1\"", "\"http_dnt\":\"\\u0031\"")]
    [InlineData("\"http_sec_gpc\":\"1\"", "\"http_sec_gpc\":\"\\u0031\"")]
    [InlineData("\"uri\":\"/a%3Fb?c\"", "\"uri\":\"\\/a%3Fb\\u003fc\"")]
    [InlineData("\"request_uri\":\"/a/b?c=d\"", "\"request_uri\":\"\\/a\\/b?c=d\"")]
    public void ReadsEscapedAndPlainValuesOfEveryOtherFieldAlike(string plain, string escaped)
    {
        // Later fields win, so each line's own value overrides the minimal line's msec or status.
        byte[] plainLine = Encoding.UTF8.GetBytes(Minimal(plain));
        byte[] escapedLine = Encoding.UTF8.GetBytes(Minimal(escaped));

        AccessLogRecord fromPlain = ParseInPlace(InBuffer(plainLine), plainLine.Length);
        AccessLogRecord fromEscaped = ParseInPlace(InBuffer(escapedLine), escapedLine.Length);

        AccessLogRecordAssert.Same(fromPlain, fromEscaped);
        AccessLogRecordAssert.Same(ParseOk(plainLine), fromPlain);
        AccessLogRecordAssert.Same(ParseOk(escapedLine), fromEscaped);
    }

    [Fact]
    public void CutsAReferencedRequestUriAtTheQueryWithoutCopyingIt()
    {
        byte[] line = Encoding.UTF8.GetBytes(Minimal("\"request_uri\":\"/api/users?id=7\""));

        AccessLogRecord record = ParseInPlace(InBuffer(line), line.Length);

        Assert.Equal("/api/users", Text(record, record.Path));
        Assert.True(record.Path.Start < 0);
        Assert.Equal(0, record.ScratchLength);
    }

    [Fact]
    public void ReadsEveryCorpusLineInPlaceAsItReadsItCopied()
    {
        var copied = new AccessLogRecord(16);
        var inPlace = new AccessLogRecord(16);
        foreach (byte[] line in s_corpus)
        {
            Assert.True(NginxJsonParser.TryParse(line, ref copied, out _));
            Assert.True(NginxJsonParser.TryParse(InBuffer(line), Before, line.Length, ref inPlace, out _));
            AccessLogRecordAssert.Same(copied, inPlace);
        }
    }

    [Fact]
    public void CopiesOnlyEscapedValuesOfTheCorpus()
    {
        var record = new AccessLogRecord(16);

        Assert.True(NginxJsonParser.TryParse(s_corpus[QueryLine], 0, s_corpus[QueryLine].Length, ref record, out _));

        // The referer has \" in it; path, agent, address and host are plain.
        Assert.Equal("https://example.com/search?q=\"quoted\"&x=1".Length, record.ScratchLength);
        Assert.True(record.Referer.Start >= 0);
        Assert.True(record.Path.Start < 0 && record.UserAgent.Start < 0 && record.RemoteAddr.Start < 0 && record.Host.Start < 0);
    }

    [Fact]
    public void ForgetsTheBufferWhenTheNextLineIsCopied()
    {
        var record = new AccessLogRecord(16);
        Assert.True(NginxJsonParser.TryParse(s_corpus[QueryLine], 0, s_corpus[QueryLine].Length, ref record, out _));
        Assert.Same(s_corpus[QueryLine], record.Line);

        Assert.True(NginxJsonParser.TryParse(s_corpus[CachedLine], ref record, out _));

        Assert.Null(record.Line);
        Assert.Equal("/media/a.webp", Text(record, record.Path));
    }

    [Fact]
    public void AllocatesNothingInPlaceOnceWarm()
    {
        var record = new AccessLogRecord(16);
        foreach (byte[] line in s_corpus)
        {
            Assert.True(NginxJsonParser.TryParse(line, 0, line.Length, ref record, out _));
        }

        int parsed = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            foreach (byte[] line in s_corpus)
            {
                if (NginxJsonParser.TryParse(line, 0, line.Length, ref record, out _))
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
