using System.Buffers;
using System.Text;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Combined;
using FastIngest.Core.Parsing.Events;
using FastIngest.Core.Parsing.Json;
using FastIngest.Core.Parsing.Syslog;
using FastIngest.Tests.Parsing;
using FastIngest.Tests.Parsing.Combined;

namespace FastIngest.Tests.Fuzzing;

/// <summary>
/// Every parser against a million inputs made from the real corpus by mutation (byte flips, cuts,
/// splices, duplicated and deleted runs, inserted JSON and syslog punctuation) and from random bytes,
/// with a fixed seed so a failure replays. Bad input must come back as a reason, never as an exception,
/// and what a parser accepts must be self-consistent.
/// </summary>
public sealed class ParserFuzzTests
{
    private const int Cases = 1_000_000;
    private static readonly byte[] s_punctuation = "{}[]\":,\\<>- \n\r\t0123456789.eE+/u"u8.ToArray();

    private static readonly byte[][] s_seeds =
    [
        .. Corpus.Datagrams,
        .. Corpus.JsonLines,
        Encoding.UTF8.GetBytes("127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif?x=1 HTTP/1.0\" 200 2326 \"http://example.com/\" \"Mozilla/4.08\" \"HIT\""),
        Encoding.UTF8.GetBytes("127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /caf\\xC3\\xA9/\\x22q\\x5C?x=1 HTTP/1.0\" 200 2326 \"http://example.com/\\x22\" \"Agent \\\"A\\\" \\xE2\\x82\\xAC\" cache=HIT"),
        Encoding.UTF8.GetBytes("""{"site_id":"s1","event_type":"page_view","path":"/a","user_id":"u1","timestamp":"2026-11-23T10:00:00.123+02:00"}"""),
        Encoding.UTF8.GetBytes("123 <13>1 2026-11-23T06:57:53.637245+00:00 vm blog - - [timeQuality tzKnown=\"1\"] {\"status\":\"200\"}\n"),
    ];

    [Fact]
    public void AMillionMutatedAndRandomInputsNeverThrowAndEveryRejectHasAReason()
    {
        var random = new Random(20261123);
        var record = new AccessLogRecord(256);
        var inPlace = new AccessLogRecord(256);
        var scratch = new byte[256 * 1024];
        var frames = new SyslogFrameReader(64 * 1024);
        var detecting = new MessageDecoder();
        var detectingInPlace = new MessageDecoder();
        int accepted = 0;
        byte[] input = new byte[128 * 1024];
        for (int i = 0; i < Cases; i++)
        {
            int length = Mutate(random, input);
            ReadOnlySpan<byte> bytes = input.AsSpan(0, length);
            try
            {
                if (SyslogParser.TryParse(bytes, out SyslogHeader header, out RejectReason syslog))
                {
                    accepted++;
                    Assert.InRange(header.TenantLength, 1, NameRules.MaxLength);
                    Assert.True(NameRules.IsValid(bytes.Slice(header.TenantStart, header.TenantLength)));
                    Assert.InRange(header.BodyStart + header.BodyLength, 0, length);
                }
                else
                {
                    Assert.NotEqual(RejectReason.None, syslog);
                }

                if (NginxJsonParser.TryParse(bytes, ref record, out RejectReason json))
                {
                    accepted++;
                    Assert.InRange(record.Status, (ushort)100, (ushort)599);
                }
                else
                {
                    Assert.NotEqual(RejectReason.None, json);
                }

                // The in-place overload (the shard's) decides and reads exactly as the copying one.
                Assert.Equal(json == RejectReason.None, NginxJsonParser.TryParse(input, 0, length, ref inPlace, out RejectReason jsonInPlace));
                Assert.Equal(json, jsonInPlace);
                if (json == RejectReason.None)
                {
                    AccessLogRecordAssert.Same(record, inPlace);
                }

                if (CombinedLogParser.TryParse(bytes, ref record, out RejectReason combined))
                {
                    accepted++;
                    Assert.InRange(record.Status, (ushort)100, (ushort)599);
                }
                else
                {
                    Assert.NotEqual(RejectReason.None, combined);
                }

                Assert.Equal(combined == RejectReason.None, CombinedLogParser.TryParse(input, 0, length, ref inPlace, out RejectReason combinedInPlace));
                Assert.Equal(combined, combinedInPlace);
                if (combined == RejectReason.None)
                {
                    AccessLogRecordAssert.Same(record, inPlace);
                }

                // Detection (syslog, file Format auto) is one of the two parsers, copying or in place alike.
                RejectReason detected = detecting.Decode(MessageKind.AccessLog, bytes, out _);
                Assert.Equal(detected, detectingInPlace.Decode(MessageKind.AccessLog, input, 0, length, out _));
                if (detected == RejectReason.None)
                {
                    accepted++;
                    AccessLogRecordAssert.Same(detecting.Record, detectingInPlace.Record);
                    // Only a combined line after blanks is more than either parser takes alone.
                    Assert.True(json == RejectReason.None || combined == RejectReason.None || bytes[0] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n');
                }

                EventError error = EventJsonParser.TryParse(bytes, scratch, out ParsedEvent parsed);
                if (error == EventError.None)
                {
                    accepted++;
                    Assert.True(parsed.SiteId.End.Value > parsed.SiteId.Start.Value);
                }

                var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input, 0, length));
                while (frames.TryRead(ref reader, isCompleted: i % 2 == 0, out ReadOnlySequence<byte> frame) != FrameStatus.NeedMoreData)
                {
                    Assert.InRange(frame.Length, 0, 64 * 1024);
                }
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"case {i} threw {ex.GetType().Name}: {ex.Message}\ninput (base64): {Convert.ToBase64String(bytes)}");
            }
        }

        // The mutations must leave enough valid input for the accepting paths to be exercised too.
        Assert.True(accepted > Cases / 20, $"only {accepted} inputs were accepted by any parser");
    }

    [Fact]
    public void AnyBytesNginxEscapesInACombinedLineReadBackAsTheyWere()
    {
        // A property over 100,000 random values: whatever bytes a request path, referrer or user agent
        // holds, NGINX's default escaping (the tests' own NginxEscape) and the parser's decoding give the
        // bytes back, copying and in place, and the fields around them are untouched.
        var random = new Random(16);
        var copied = new AccessLogRecord(64);
        var inPlace = new AccessLogRecord(64);
        byte[] alphabet = [.. "\"\\ x?/%aZ09-[]{}"u8, 0x00, 0x09, 0x0A, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xFF];
        for (int i = 0; i < 100_000; i++)
        {
            byte[] path = Value(random, alphabet, '/');
            byte[] referer = Value(random, alphabet, 'h');
            byte[] agent = Value(random, alphabet, 'M');
            string line = $"10.0.0.{i % 256} - - [23/Nov/2026:06:42:21 +0000] \"GET {NginxEscape.Escape(path)}?q={NginxEscape.Escape(agent)} HTTP/1.1\" {200 + (i % 300)} {i} \"{NginxEscape.Escape(referer)}\" \"{NginxEscape.Escape(agent)}\"{(i % 3 == 0 ? " \"HIT\"" : "")}";
            byte[] bytes = Encoding.ASCII.GetBytes(line);
            string what = $"case {i}: {line}";

            Assert.True(CombinedLogParser.TryParse(bytes, ref copied, out RejectReason reason), $"{what} ({reason})");
            Assert.True(CombinedLogParser.TryParse(bytes, 0, bytes.Length, ref inPlace, out _), what);
            AccessLogRecordAssert.Same(copied, inPlace);
            Assert.True(path.AsSpan().SequenceEqual(inPlace.Text(inPlace.Path)), what);
            Assert.True(referer.AsSpan().SequenceEqual(inPlace.Text(inPlace.Referer)), what);
            Assert.True(agent.AsSpan().SequenceEqual(inPlace.Text(inPlace.UserAgent)), what);
            Assert.Equal(200 + (i % 300), inPlace.Status);
            Assert.Equal(i, inPlace.BodyBytesSent);
            Assert.Equal(i % 3 == 0 ? CacheStatus.Hit : CacheStatus.None, inPlace.CacheStatus);
        }

        // Starts with a byte NGINX's request line cannot have escaped into a space or '?', and is never "-".
        static byte[] Value(Random random, byte[] alphabet, char first)
        {
            var value = new byte[random.Next(1, 40)];
            value[0] = (byte)first;
            for (int k = 1; k < value.Length; k++)
            {
                byte b = alphabet[random.Next(alphabet.Length)];
                value[k] = b is (byte)' ' or (byte)'?' ? (byte)'_' : b;
            }

            return value;
        }
    }

    [Fact]
    public void IngestBodiesCutAnywhereNeverThrowAndAccountForEveryItem()
    {
        var random = new Random(7);
        byte[] input = new byte[128 * 1024];
        int unmutated = 0;
        for (int i = 0; i < 100_000; i++)
        {
            // An /ingest body: a few (mutated) events as an array or as NDJSON, then mutated as a whole.
            bool ndjson = random.Next(2) == 0;
            var body = new StringBuilder(ndjson ? "" : "[");
            int items = random.Next(0, 5);
            for (int k = 0; k < items; k++)
            {
                body.Append(k > 0 ? (ndjson ? "\n" : ",") : "").Append("""{"site_id":"s","event_type":"page_view","path":"/x"}""");
            }

            body.Append(ndjson ? "\n" : "]");
            byte[] seed = Encoding.UTF8.GetBytes(body.ToString());
            seed.CopyTo(input, 0);
            int length = seed.Length;
            bool mutated = false;
            if (random.Next(2) == 0 && length > 0)
            {
                int at = random.Next(length);
                byte punctuation = s_punctuation[random.Next(s_punctuation.Length)];
                mutated = input[at] != punctuation;
                input[at] = punctuation;
            }

            using var batch = new Server.Events.EventBatch(maxEventBytes: 4096, tenant: null, nowMs: 1_795_392_000_000);
            var reader = new Server.Events.BatchReader(batch, ndjson);
            int chunk = random.Next(1, 64);
            byte[] pending = [];
            try
            {
                for (int at = 0; ; at += chunk)
                {
                    bool completed = at + chunk >= length;
                    byte[] buffer = [.. pending, .. input.AsSpan(Math.Min(at, length), Math.Max(0, Math.Min(chunk, length - at)))];
                    var sequence = new ReadOnlySequence<byte>(buffer);
                    pending = sequence.Slice(reader.Read(sequence, completed)).ToArray();
                    if (completed)
                    {
                        reader.Finish();
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"case {i} threw {ex.GetType().Name}: {ex.Message}\nbody: {Encoding.UTF8.GetString(input, 0, length)}");
            }

            // Nothing is silently dropped: an unmutated body is all accepted; any body is accepted or refused.
            string what = $"{(ndjson ? "NDJSON" : "array")} of {items}: {Encoding.UTF8.GetString(input, 0, length)}";
            if (mutated)
            {
                Assert.InRange(batch.Accepted, 0, items);
                Assert.True(batch.Accepted + batch.Rejected >= Math.Min(1, items), $"case {i}: nothing counted of the {what}");
            }
            else
            {
                Assert.True(batch.Accepted == items && batch.Rejected == 0, $"case {i}: {batch.Accepted} accepted, {batch.Rejected} rejected of the unmutated {what}");
                unmutated++;
            }
        }

        // Half the bodies are left as they were, so the promise above is checked tens of thousands of times.
        Assert.True(unmutated > 40_000, $"only {unmutated} bodies were left unmutated");
    }

    private static int Mutate(Random random, byte[] output)
    {
        if (random.Next(20) == 0)
        {
            int noise = random.Next(0, 2048);
            random.NextBytes(output.AsSpan(0, noise));
            return noise;
        }

        byte[] seed = s_seeds[random.Next(s_seeds.Length)];
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
                    output[at] = s_punctuation[random.Next(s_punctuation.Length)];
                    break;
                case 2:
                    length = at; // cut
                    break;
                case 3:
                    int run = Math.Min(random.Next(1, 64), length - at);
                    output.AsSpan(at + run, length - at - run).CopyTo(output.AsSpan(at));
                    length -= run; // delete a run
                    break;
                case 4:
                    int dup = Math.Min(Math.Min(random.Next(1, 64), length - at), output.Length - length);
                    output.AsSpan(at, length - at).CopyTo(output.AsSpan(at + dup));
                    length += dup; // duplicate a run
                    break;
                default:
                    byte[] other = s_seeds[random.Next(s_seeds.Length)];
                    int from = random.Next(other.Length);
                    int take = Math.Min(other.Length - from, output.Length - at);
                    other.AsSpan(from, take).CopyTo(output.AsSpan(at));
                    length = at + take; // splice another seed's tail
                    break;
            }
        }

        return length;
    }
}
