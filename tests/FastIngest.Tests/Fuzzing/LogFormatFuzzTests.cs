using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Formats;
using FastIngest.Tests.Parsing;

namespace FastIngest.Tests.Fuzzing;

/// <summary>
/// Custom formats against mutated lines of their own and each other's (byte flips, cuts, deleted and
/// duplicated runs, splices, inserted quotes, backslashes and brackets) and random bytes, with a fixed seed
/// so a failure replays; and the compiler against mutated format texts. Bad input comes back as a reason,
/// never an exception, and what a format accepts reads the same in place as copied.
/// </summary>
public sealed class LogFormatFuzzTests
{
    private const int Cases = 300_000;
    private static readonly byte[] s_punctuation = "\"\\[]{}- \n\r\t0123456789.:x$'"u8.ToArray();

    private static readonly LogFormat[] s_formats =
    [
        LogFormatCompiler.Compile("main", """'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_time $upstream_cache_status $bytes_sent'"""),
        LogFormatCompiler.Compile("json", """escape=json '{"msec":"$msec","status":"$status","uri":"$uri","ua":"$http_user_agent","host":"$http_host","rt":"$request_time"}'"""),
        LogFormatCompiler.Compile("bare", """escape=none '$time_iso8601 $status $request_method $request_uri $body_bytes_sent dnt=$http_dnt'"""),
    ];

    private static readonly byte[][] s_seeds =
    [
        .. Lines(
            """192.0.2.1 - alice [23/Nov/2026:06:42:21 +0000] "GET /index.html?x=1 HTTP/1.1" 200 612 "https://ref.example/" "Mozilla/5.0 \x22x\x22 \x5C\xC3\xA9" "203.0.113.9" 1.234 HIT 850""",
            """10.0.0.1 - - [01/Jan/2027:00:00:00 -0700] "-" 400 0 "-" "-" "-" 0.000 - 157""",
            """{"msec":"1795390945.295","status":"200","uri":"/a\"b","ua":"bot \\ \u0001","host":"shop.example","rt":"0.010"}""",
            """2026-11-22T23:42:25+00:00 304 GET /p?q=1 0 dnt=1"""),
    ];

    private static readonly string[] s_texts =
    [
        """log_format main escape=default '$remote_addr - $remote_user [$time_local] "$request" ' "$status ${body_bytes_sent}\t" '"$http_user_agent"';""",
        """escape=json '{"msec":"$msec","status":"$status"}'""",
    ];

    [Fact]
    public void MutatedAndRandomLinesNeverThrowAndEveryRejectHasAReason()
    {
        var random = new Random(20261126);
        var record = new AccessLogRecord(256);
        var inPlace = new AccessLogRecord(256);
        byte[] input = new byte[64 * 1024];
        int accepted = 0;
        for (int i = 0; i < Cases; i++)
        {
            int length = Mutate(random, input, s_seeds, s_punctuation);
            ReadOnlySpan<byte> bytes = input.AsSpan(0, length);
            foreach (LogFormat format in s_formats)
            {
                try
                {
                    bool ok = format.TryParse(bytes, ref record, out RejectReason reason);
                    Assert.Equal(ok, reason == RejectReason.None);
                    Assert.Equal(ok, format.TryParse(input, 0, length, ref inPlace, out RejectReason inPlaceReason));
                    Assert.Equal(reason, inPlaceReason);
                    if (ok)
                    {
                        accepted++;
                        Assert.InRange(record.Status, (ushort)100, (ushort)599);
                        Assert.InRange(record.BodyBytesSent, -1, AccessLogRecord.MaxBytes);
                        Assert.InRange(record.RequestTimeMs, -1, AccessLogRecord.MaxRequestTimeMs);
                        AccessLogRecordAssert.Same(record, inPlace);
                    }
                }
                catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
                {
                    Assert.Fail($"case {i}, format {format.Name} threw {ex.GetType().Name}: {ex.Message}\ninput (base64): {Convert.ToBase64String(bytes)}");
                }
            }
        }

        Assert.True(accepted > Cases / 20, $"only {accepted} lines were accepted by any format");
    }

    [Fact]
    public void MutatedFormatTextsCompileOrSayWhyAndNeverThrow()
    {
        var random = new Random(16);
        byte[][] seeds = [.. s_texts.Select(Encoding.UTF8.GetBytes)];
        byte[] input = new byte[16 * 1024];
        int compiled = 0;
        for (int i = 0; i < 50_000; i++)
        {
            string text = Encoding.UTF8.GetString(input, 0, Mutate(random, input, seeds, s_punctuation));
            try
            {
                if (LogFormatCompiler.TryCompile("f", text, out LogFormat? format, out string? problem))
                {
                    compiled++;
                    Assert.NotNull(format);
                    Assert.NotEmpty(format.Steps);
                }
                else
                {
                    Assert.StartsWith("log format 'f': ", problem, StringComparison.Ordinal);
                }
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"case {i} threw {ex.GetType().Name}: {ex.Message}\ntext: {text}");
            }
        }

        Assert.True(compiled > 1000, $"only {compiled} texts compiled");
    }

    private static byte[][] Lines(params string[] lines) => [.. lines.Select(Encoding.UTF8.GetBytes)];

    private static int Mutate(Random random, byte[] output, byte[][] seeds, byte[] punctuation)
    {
        if (random.Next(20) == 0)
        {
            int noise = random.Next(0, 512);
            random.NextBytes(output.AsSpan(0, noise));
            return noise;
        }

        byte[] seed = seeds[random.Next(seeds.Length)];
        int length = seed.Length;
        seed.CopyTo(output, 0);
        for (int m = random.Next(0, 4); m > 0 && length > 0; m--)
        {
            int at = random.Next(length);
            switch (random.Next(6))
            {
                case 0:
                    output[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    output[at] = punctuation[random.Next(punctuation.Length)];
                    break;
                case 2:
                    length = at;
                    break;
                case 3:
                    int run = Math.Min(random.Next(1, 16), length - at);
                    output.AsSpan(at + run, length - at - run).CopyTo(output.AsSpan(at));
                    length -= run;
                    break;
                case 4:
                    int dup = Math.Min(Math.Min(random.Next(1, 16), length - at), output.Length - length);
                    output.AsSpan(at, length - at).CopyTo(output.AsSpan(at + dup));
                    length += dup;
                    break;
                default:
                    byte[] other = seeds[random.Next(seeds.Length)];
                    int from = random.Next(other.Length);
                    int take = Math.Min(other.Length - from, output.Length - at);
                    other.AsSpan(from, take).CopyTo(output.AsSpan(at));
                    length = at + take;
                    break;
            }
        }

        return length;
    }
}
