using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Combined;
using FastIngest.Core.Parsing.Formats;
using static FastIngest.Tests.Parsing.Formats.NginxLines;

namespace FastIngest.Tests.Parsing.Formats;

/// <summary>
/// NGINX's own <c>combined</c> text, given as a custom format, must read every line exactly as the built-in
/// <see cref="CombinedLogParser"/> does: the real corpus's requests written as combined lines, and many
/// generated ones with every kind of byte NGINX escapes.
/// </summary>
public sealed class LogFormatEquivalenceTests
{
    /// <summary>The <c>combined</c> format as NGINX's documentation and source define it.</summary>
    public const string CombinedText =
        """'$remote_addr - $remote_user [$time_local] ' '"$request" $status $body_bytes_sent ' '"$http_referer" "$http_user_agent"'""";

    private static readonly LogFormat s_combined = LogFormatCompiler.Compile("combined_copy", CombinedText);

    [Fact]
    public void TheCorpusWrittenAsCombinedReadsAsTheCombinedParserReadsIt()
    {
        var offsets = new[] { TimeSpan.Zero, TimeSpan.FromHours(1), TimeSpan.FromHours(-7), new TimeSpan(5, 30, 0) };
        int i = 0;
        foreach (byte[] json in Corpus.JsonLines)
        {
            Dictionary<string, byte[]> v = Values(json);
            byte[] method = v.GetValueOrDefault("request_method", []);
            byte[] request = method.Length == 0
                ? "-"u8.ToArray()
                : Join(method, " ", v["request_uri"], " ", v.GetValueOrDefault("server_protocol", "HTTP/1.1"u8.ToArray()));
            long ms = long.Parse(Encoding.ASCII.GetString(v["msec"]).Replace(".", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
            byte[] line = Join(
                v["remote_addr"], " - - [", TimeLocal(ms, offsets[i++ % offsets.Length]), "] \"", EscapeDefault(request), "\" ",
                v["status"], " ", v["body_bytes_sent"], " \"", Dash(EscapeDefault(v["http_referer"])), "\" \"", Dash(EscapeDefault(v["http_user_agent"])), "\"");
            AssertSame(line);
        }

        Assert.True(i >= 17, $"the corpus has {i} lines");
    }

    [Fact]
    public void TenThousandGeneratedLinesReadAsTheCombinedParserReadsThem()
    {
        var random = new Random(16);
        string[] methods = ["GET", "POST", "HEAD", "PROPFIND", "-"];
        for (int i = 0; i < 10_000; i++)
        {
            string address = random.Next(3) == 0 ? $"2001:db8::{random.Next(65536):x}" : $"10.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}";
            byte[] request = random.Next(20) == 0
                ? RandomBytes(random, 12)
                : Join(methods[random.Next(methods.Length)], " ", "/", RandomPath(random), random.Next(3) == 0 ? "?q=" + random.Next() : "", " HTTP/1.", random.Next(2).ToString(System.Globalization.CultureInfo.InvariantCulture));
            long ms = 1_700_000_000_000 + (random.NextInt64(100_000_000) * 1000);
            var offset = TimeSpan.FromMinutes(random.Next(-12 * 4, 14 * 4) * 15);
            string body = random.Next(10) == 0 ? "-" : random.NextInt64(1L << 36).ToString(System.Globalization.CultureInfo.InvariantCulture);
            byte[] line = Join(
                address, " - ", random.Next(4) == 0 ? "frank" : "-", " [", TimeLocal(ms, offset), "] \"", EscapeDefault(request), "\" ",
                (100 + random.Next(500)).ToString(System.Globalization.CultureInfo.InvariantCulture), " ", body,
                " \"", Dash(EscapeDefault(RandomBytes(random, 40))), "\" \"", Dash(EscapeDefault(RandomBytes(random, 80))), "\"");
            AssertSame(line);
        }
    }

    private static void AssertSame(byte[] line)
    {
        var expected = new AccessLogRecord(16);
        var actual = new AccessLogRecord(16);
        bool combined = CombinedLogParser.TryParse(line, ref expected, out RejectReason combinedReason);
        Assert.True(combined, $"{RejectReasons.Name(combinedReason)}: {Encoding.UTF8.GetString(line)}");
        Assert.True(s_combined.TryParse(line, ref actual, out RejectReason reason), $"{RejectReasons.Name(reason)}: {Encoding.UTF8.GetString(line)}");
        AccessLogRecordAssert.Same(expected, actual);

        // In place (the shard's way) too, from the middle of a larger buffer.
        byte[] buffer = [.. "xx"u8, .. line, .. "yy"u8];
        Assert.True(CombinedLogParser.TryParse(buffer, 2, line.Length, ref expected, out _));
        Assert.True(s_combined.TryParse(buffer, 2, line.Length, ref actual, out _));
        AccessLogRecordAssert.Same(expected, actual);
    }

    private static byte[] Dash(byte[] value) => value.Length == 0 ? "-"u8.ToArray() : value;

    private static string RandomPath(Random random)
    {
        const string Chars = "abcxyz0123456789-_./%~";
        var path = new StringBuilder();
        for (int i = random.Next(0, 30); i > 0; i--)
        {
            path.Append(Chars[random.Next(Chars.Length)]);
        }

        return path.ToString();
    }

    /// <summary>Anything a client can send in a header: quotes, backslashes, control bytes, UTF-8 and invalid bytes.</summary>
    private static byte[] RandomBytes(Random random, int maxLength)
    {
        byte[] pool = [.. "abc XYZ 019 ;:/()[]{}=,"u8, (byte)'"', (byte)'\\', 0x01, 0x09, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xFF];
        byte[] value = new byte[random.Next(0, maxLength)];
        for (int i = 0; i < value.Length; i++)
        {
            value[i] = pool[random.Next(pool.Length)];
        }

        return value;
    }
}
