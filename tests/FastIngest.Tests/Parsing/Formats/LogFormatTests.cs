using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Formats;

namespace FastIngest.Tests.Parsing.Formats;

public sealed class LogFormatTests
{
    /// <summary>The NGINX docs' <c>main</c>, with what combined lacks appended in another order.</summary>
    private const string MainText =
        """
        '$remote_addr - $remote_user [$time_local] "$request" '
                          '$status $body_bytes_sent "$http_referer" '
                          '"$http_user_agent" "$http_x_forwarded_for" $request_time $upstream_cache_status $bytes_sent'
        """;

    private static AccessLogRecord s_record = new(16);

    private static string Parse(LogFormat format, string line) => Parse(format, Encoding.UTF8.GetBytes(line));

    private static string Parse(LogFormat format, byte[] line)
    {
        if (!format.TryParse(line, ref s_record, out RejectReason reason))
        {
            Assert.NotEqual(RejectReason.None, reason);
            return "!" + RejectReasons.Name(reason);
        }

        AccessLogRecord r = s_record;
        return $"{r.TimestampMs} {r.Status} {r.BodyBytesSent} {r.BytesSent} {r.RequestTimeMs} {r.CacheStatus} {(r.DoNotTrack ? "dnt " : "")}" +
            $"{Text(r, r.Method)} {Text(r, r.Path)} {Text(r, r.RemoteAddr)} host=[{Text(r, r.Host)}] [{Text(r, r.Referer)}] [{Text(r, r.UserAgent)}]";
    }

    private static string Text(in AccessLogRecord r, Utf8Slice slice) => Encoding.UTF8.GetString(r.Text(slice));

    [Fact]
    public void TheDocsMainFormatWithCacheAndTimingReadsEveryField()
    {
        LogFormat main = LogFormatCompiler.Compile("main", MainText);
        Assert.Equal(
            "1795416141000 200 612 850 1234 Hit GET /index.html 192.0.2.1 host=[] [https://ref.example/] [Mozilla/5.0 (X11) \"x\"]",
            Parse(main, """192.0.2.1 - alice [23/Nov/2026:06:42:21 +0000] "GET /index.html?x=1 HTTP/1.1" 200 612 "https://ref.example/" "Mozilla/5.0 (X11) \x22x\x22" "203.0.113.9, 10.0.0.1" 1.234 HIT 850"""));
        // Dashes: no referer, agent, forwarded-for or cache status; sizes absent.
        Assert.Equal(
            "1795416141000 404 -1 -1 0 None GET /a 192.0.2.1 host=[] [] []",
            Parse(main, """192.0.2.1 - - [23/Nov/2026:06:42:21 +0000] "GET /a HTTP/1.1" 404 - "-" "-" "-" 0.000 - -"""));
    }

    [Fact]
    public void VariablesInAnyOrderFillTheSameFieldsAndUnknownOnesAreSteppedOver()
    {
        LogFormat format = LogFormatCompiler.Compile("mine", """
            log_format mine escape=default 'host=$http_host srv=$server_name ${request_method} $uri|$request_uri|$request st=$status t=$msec '
                "iso=$time_iso8601 ua=\"$http_user_agent\" conn=$connection dnt=$http_dnt gpc=$http_sec_gpc up=$upstream_addr end";
            """);
        Assert.Equal(
            "1795390945295 502 -1 -1 -1 None dnt POST /p/caf%3F  host=[shop.example:8080] [] [curl/8 (a b)]",
            Parse(format, """host=shop.example:8080 srv=shop POST /p/caf%3F?x|/ignored?y|GET /also/ignored HTTP/1.1 st=502 t=1795390945.295 iso=2026-11-22T23:42:25+00:00 ua="curl/8 (a b)" conn=12 dnt=1 gpc=- up=10.0.0.9:80, 10.0.0.8:80 end"""));
    }

    [Fact]
    public void HostFallsBackFromHttpHostToHostToServerNameAndPathFromUriToRequestUriToRequest()
    {
        LogFormat format = LogFormatCompiler.Compile("f", "'[$time_local] $status h=$http_host|$host|$server_name u=$uri|$request_uri|$request'");
        Assert.Equal(
            "1795416141000 200 -1 -1 -1 None GET /from-request  host=[b.example] [] []",
            Parse(format, "[23/Nov/2026:06:42:21 +0000] 200 h=-|b.example|c u=-|-|GET /from-request?q HTTP/1.1"));
        Assert.Equal(
            "1795416141000 200 -1 -1 -1 None GET /from-request-uri  host=[c] [] []",
            Parse(format, "[23/Nov/2026:06:42:21 +0000] 200 h=-|-|c u=-|/from-request-uri?q|GET /from-request?q HTTP/1.1"));
    }

    [Theory]
    [InlineData("'$msec $status $uri $request_uri'", "1 200 /landing /landing?utm_source=news", "/landing", "utm_source=news")]
    [InlineData("'$msec $status $request_uri'", "1 200 /landing?utm_source=news", "/landing", "utm_source=news")]
    [InlineData("'$msec $status \"$request\"'", "1 200 \"GET /landing?utm_source=news HTTP/1.1\"", "/landing", "utm_source=news")]
    [InlineData("'$msec $status $request_method $uri \"$request\"'", "1 200 GET /landing \"GET /landing?ref=hn HTTP/1.1\"", "/landing", "ref=hn")]
    [InlineData("'$msec $status $uri'", "1 200 /decoded?x", "/decoded", "")]
    [InlineData("'$msec $status $request_uri'", "1 200 /landing", "/landing", "")]
    public void TheQueryComesFromRequestUriOrRequestWhicheverVariableGivesThePath(string template, string line, string path, string query)
    {
        LogFormat format = LogFormatCompiler.Compile("f", template);
        Assert.DoesNotContain("!", Parse(format, line), StringComparison.Ordinal);
        Assert.Equal(path, Text(s_record, s_record.Path));
        Assert.Equal(query, Text(s_record, s_record.Query));
    }

    [Fact]
    public void TheTimeIsMsecThenIso8601ThenTimeLocal()
    {
        LogFormat format = LogFormatCompiler.Compile("t", "'$time_local|$time_iso8601|$msec $status'");
        Assert.StartsWith("1795390945295 ", Parse(format, "23/Nov/2026:06:42:21 +0000|2026-11-23T06:42:22+00:00|1795390945.295 200"), StringComparison.Ordinal);
        Assert.StartsWith("1795416142000 ", Parse(format, "23/Nov/2026:06:42:21 +0000|2026-11-23T06:42:22+00:00|- 200"), StringComparison.Ordinal);
        Assert.Equal("!invalid_time", Parse(format, "23/Nov/2026:06:42:21 +0000|2026-11-23T06:42:22+00:00|soon 200"));
    }

    [Fact]
    public void DefaultEscapesAreDecodedIntoScratchAndPlainValuesStayInTheLine()
    {
        LogFormat format = LogFormatCompiler.Compile("d", """'[$time_local] "$request" $status "$http_user_agent" "$http_referer"'""");
        byte[] line = Encoding.UTF8.GetBytes("""[23/Nov/2026:06:42:21 +0000] "GET /caf\xC3\xA9?q HTTP/1.1" 200 "say \x22hi\x22 \x5C" "https://plain.example/" """.TrimEnd());
        var record = new AccessLogRecord(16);
        Assert.True(format.TryParse(line, 0, line.Length, ref record, out _));
        Assert.Equal("/café", Text(record, record.Path));
        Assert.Equal("say \"hi\" \\", Text(record, record.UserAgent));
        Assert.True(record.UserAgent.Start >= 0, "an escaped value is decoded into scratch");
        Assert.True(record.Referer.Start < 0, "a plain value is referenced in the line");
    }

    [Fact]
    public void JsonEscapedQuotesDoNotEndAQuotedValue()
    {
        LogFormat format = LogFormatCompiler.Compile("j", """escape=json '{"t":"$msec","s":"$status","ua":"$http_user_agent","r":"$http_referer","x":"$request_id"}'""");
        Assert.Equal(
            "1795390945295 200 -1 -1 -1 None    host=[] [a\\\"b] [bot \"q\" \\ \u0001]",
            Parse(format, """{"t":"1795390945.295","s":"200","ua":"bot \"q\" \\ \u0001","r":"a\\\"b","x":"id"}"""));
    }

    [Fact]
    public void WithoutEscapingAValueEndsAtTheFirstLiteralAfterIt()
    {
        LogFormat format = LogFormatCompiler.Compile("n", """escape=none '$msec $status "$http_user_agent" $body_bytes_sent'""");
        Assert.Equal("1795390945295 200 12 -1 -1 None    host=[] [] [a \\x22 b]", Parse(format, "1795390945.295 200 \"a \\x22 b\" 12"));
        // A raw quote inside the value cuts it: what follows is read as the size, which it is not.
        Assert.Equal("!invalid_number", Parse(format, "1795390945.295 200 \"a \" b\" 12"));
    }

    [Theory]
    [InlineData("", "!empty")]
    [InlineData("\r\n", "!empty")]
    [InlineData("a line of another format", "!format_mismatch")]
    [InlineData("192.0.2.1 - - [23/Nov/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" \"-\" 0.001 HIT 5 trailing", "!invalid_number")]
    [InlineData("192.0.2.1 - - [23/Nov/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" \"-\" 0.001 HIT", "!format_mismatch")]
    [InlineData("192.0.2.1 - - [23/Nov/2026:06:42:21 +0000] \"GET / HTTP/1.1\" - 1 \"-\" \"-\" \"-\" 0.001 HIT 5", "!missing_status")]
    [InlineData("192.0.2.1 - - [23/Nov/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 99 1 \"-\" \"-\" \"-\" 0.001 HIT 5", "!invalid_status")]
    [InlineData("192.0.2.1 - - [23/Nov/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 2xx 1 \"-\" \"-\" \"-\" 0.001 HIT 5", "!invalid_status")]
    [InlineData("192.0.2.1 - - [31/Feb/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" \"-\" 0.001 HIT 5", "!invalid_time")]
    [InlineData("192.0.2.1 - - [23/Nov/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 200 1099511627777 \"-\" \"-\" \"-\" 0.001 HIT 5", "!invalid_number")]
    [InlineData("192.0.2.1 - - [23/Nov/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" \"-\" 86400.001 HIT 5", "!invalid_number")]
    [InlineData("192.0.2.1 - - [23/Nov/2026:06:42:21 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\" \"-\" 0.001 HIT -5", "!invalid_number")]
    public void BrokenLinesSayWhy(string line, string expected) =>
        Assert.Equal(expected, Parse(LogFormatCompiler.Compile("main", MainText), line));

    [Fact]
    public void EveryTruncatedPrefixOfALineIsRefusedWithAReason()
    {
        LogFormat main = LogFormatCompiler.Compile("main", MainText);
        byte[] line = Encoding.UTF8.GetBytes("""192.0.2.1 - alice [23/Nov/2026:06:42:21 +0000] "GET /index.html?x=1 HTTP/1.1" 200 612 "https://ref.example/" "Mozilla/5.0" "-" 1.234 HIT 850""");
        var record = new AccessLogRecord(16);
        Assert.True(main.TryParse(line, ref record, out _));
        for (int length = 0; length < line.Length - 3; length++)
        {
            Assert.False(main.TryParse(line.AsSpan(0, length), ref record, out RejectReason reason), $"prefix of {length} bytes");
            Assert.NotEqual(RejectReason.None, reason);
        }
    }

    [Theory]
    [InlineData("'$remote_addr $status [$time_local]'", "$remote_addr $status [$time_local]")]
    [InlineData("log_format main '$remote_addr'\n  \"\\\"$status\\\" \" '[$time_local]';", "$remote_addr\"$status\" [$time_local]")]
    [InlineData("escape=json '{\"s\":$status,' '\"t\":\"$time_iso8601\"}'", "{\"s\":$status,\"t\":\"$time_iso8601\"}")]
    [InlineData("'${status}x${msec}\\t'", "$statusx$msec\t")]
    public void NginxConfQuotingIsReadAsNginxReadsIt(string text, string template)
    {
        LogFormat format = LogFormatCompiler.Compile("f", text);
        var joined = new StringBuilder(Encoding.UTF8.GetString(format.Prefix));
        foreach (LogFormatStep step in format.Steps)
        {
            joined.Append('$').Append(step.Name).Append(Encoding.UTF8.GetString(step.Literal));
        }

        Assert.Equal(template, joined.ToString());
    }

    [Theory]
    [InlineData("", "log format 'bad': the text is empty")]
    [InlineData("escape=xml '$status $msec'", "log format 'bad': 'escape=xml' is not one of escape=default, escape=json, escape=none")]
    [InlineData("'$status $msec", "log format 'bad': the quote ' at character 1 is never closed")]
    [InlineData("'$status'x '$msec'", "without a space")]
    [InlineData("'no variables at all'", "log format 'bad': it has no variables")]
    [InlineData("'$remote_addr$remote_user [$time_local] $status'", "log format 'bad': $remote_addr and $remote_user have no text between them")]
    [InlineData("'$remote_addr [$time_local]'", "log format 'bad': it has no $status")]
    [InlineData("'$remote_addr $status'", "log format 'bad': it has no time; add $time_local, $time_iso8601 or $msec")]
    [InlineData("'$status ${msec'", "'${' at character 9 has no closing '}'")]
    [InlineData("'$status $ $msec'", "'$' at character 9 is not followed by a variable name")]
    [InlineData("escape=json", "it has no text after its parameters")]
    public void AFormatTheMatcherCannotReadIsRefusedNamingTheProblem(string text, string problem)
    {
        Assert.False(LogFormatCompiler.TryCompile("bad", text, out LogFormat? format, out string? message));
        Assert.Null(format);
        Assert.Contains(problem, message, StringComparison.Ordinal);
        Assert.StartsWith("log format 'bad': ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFixedWidthTimeNeedsNoTextAfterIt()
    {
        // $time_iso8601 is always 25 bytes, so $status can follow it at once.
        LogFormat format = LogFormatCompiler.Compile("f", "'$time_iso8601$status'");
        Assert.StartsWith("1795390945000 204 ", Parse(format, "2026-11-22T23:42:25+00:00204"), StringComparison.Ordinal);
    }

    [Fact]
    public void ParsingAllocatesNothingOnceWarm()
    {
        LogFormat main = LogFormatCompiler.Compile("main", MainText);
        byte[] plain = Encoding.UTF8.GetBytes("""10.0.0.1 - - [23/Nov/2026:06:42:21 +0100] "GET /download/file1.zip?x=1 HTTP/1.1" 200 123456 "https://example.com/" "Mozilla/5.0 (X11; Linux x86_64)" "-" 0.012 HIT 123789""");
        byte[] escaped = Encoding.UTF8.GetBytes("""10.0.0.1 - - [23/Nov/2026:06:42:21 +0100] "GET /caf\xC3\xA9 HTTP/1.1" 200 1 "-" "say \x22hi\x22" "-" 0.012 MISS 2""");
        var record = new AccessLogRecord(16);
        Assert.True(main.TryParse(plain, ref record, out _));
        Assert.True(main.TryParse(escaped, 0, escaped.Length, ref record, out _));
        int parsed = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            parsed += main.TryParse(plain, ref record, out _) ? 1 : 0;
            parsed += main.TryParse(plain, 0, plain.Length, ref record, out _) ? 1 : 0;
            parsed += main.TryParse(escaped, 0, escaped.Length, ref record, out _) ? 1 : 0;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(30_000, parsed);
        Assert.Equal(0, allocated);
    }
}
