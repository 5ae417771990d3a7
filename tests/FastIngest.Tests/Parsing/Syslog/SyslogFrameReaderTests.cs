using System.Buffers;
using System.Text;
using FastIngest.Core.Parsing.Syslog;

namespace FastIngest.Tests.Parsing.Syslog;

public sealed class SyslogFrameReaderTests
{
    private const int Max = 1024;

    /// <summary>What came out of a stream: frames, and oversized samples marked with a leading "!".</summary>
    private static List<string> Feed(byte[] stream, int chunk, int max = Max, int segment = int.MaxValue)
    {
        var frames = new SyslogFrameReader(max);
        var output = new List<string>();
        byte[] pending = [];
        for (int at = 0; at < stream.Length || pending.Length > 0; at += chunk)
        {
            bool completed = at + chunk >= stream.Length;
            byte[] read = [.. pending, .. stream.AsSpan(Math.Min(at, stream.Length), Math.Max(0, Math.Min(chunk, stream.Length - at)))];
            ReadOnlySequence<byte> buffer = Segmented(read, segment);
            var reader = new SequenceReader<byte>(buffer);
            while (true)
            {
                FrameStatus status = frames.TryRead(ref reader, completed, out ReadOnlySequence<byte> frame);
                if (status == FrameStatus.NeedMoreData)
                {
                    break;
                }

                output.Add((status == FrameStatus.Oversized ? "!" : "") + Encoding.UTF8.GetString(frame.ToArray()));
            }

            // What a PipeReader keeps after AdvanceTo(reader.Position, buffer.End).
            pending = buffer.Slice(reader.Position).ToArray();
            if (completed)
            {
                Assert.Empty(pending);
                break;
            }
        }

        return output;
    }

    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int segment)
    {
        if (bytes.Length <= segment)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        var first = new Segment(bytes.AsMemory(0, segment));
        Segment last = first;
        for (int at = segment; at < bytes.Length; at += segment)
        {
            last = last.Append(bytes.AsMemory(at, Math.Min(segment, bytes.Length - at)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    private static string Octet(string message) => $"{Encoding.UTF8.GetByteCount(message)} {message}";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    public static TheoryData<int, int> Splits => new()
    {
        { 1, int.MaxValue }, { 2, int.MaxValue }, { 3, 1 }, { 7, 2 }, { 64, 5 }, { 100_000, int.MaxValue }, { 100_000, 3 },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void EveryFramingComesOutWholeHoweverTheBytesArrive(int chunk, int segment)
    {
        string[] messages = ["<13>a b: one", "<13>a b: two \u00e9t\u00e9", "<14>x: 3 ∑ {\"k\":\"v\"}", "<13>n: four", "<13>n: five", "<13>c: 12 starts with digits in body"];
        string stream =
            Octet(messages[0]) + Octet(messages[1]) + "\n" +   // a relay's LF after an octet frame
            messages[2] + "\n" +
            messages[3] + "\r\n\r\n\n" +                          // CRLF and empty lines
            messages[4] + "\0" +
            Octet(messages[5]) +
            "<13>last: no trailer";                              // peer closes without LF

        Assert.Equal([.. messages, "<13>last: no trailer"], Feed(Bytes(stream), chunk, segment: segment));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(100_000_000)]
    public void AnOversizedOctetCountedMessageIsReportedOnceAndTheNextFrameFollows(int chunk)
    {
        string big = "<13>t: " + new string('x', 10_000);
        List<string> output = Feed(Bytes(Octet("<13>t: before") + Octet(big) + Octet("<13>t: after")), chunk);

        Assert.Equal(3, output.Count);
        Assert.Equal("<13>t: before", output[0]);
        Assert.StartsWith("!<13>t: xxx", output[1], StringComparison.Ordinal);
        Assert.InRange(output[1].Length - 1, 1, SyslogFrameReader.SampleBytes);
        Assert.Equal("<13>t: after", output[2]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(100_000_000)]
    public void AnOversizedLineIsReportedOnceAndTheNextLineFollows(int chunk)
    {
        string big = "<13>t: " + new string('y', 10_000);
        List<string> output = Feed(Bytes("<13>t: before\n" + big + "\n<13>t: after\n"), chunk);

        Assert.Equal(["<13>t: before", "!" + big[..SyslogFrameReader.SampleBytes], "<13>t: after"], output);
    }

    [Fact]
    public void AMessageOfExactlyTheLimitIsAFrame()
    {
        string exact = "<13>t: " + new string('z', Max - 7);
        Assert.Equal(Max, exact.Length);
        Assert.Equal([exact, exact], Feed(Bytes(Octet(exact) + exact + "\n"), 100));
    }

    [Theory]
    [InlineData("12x<13>t: a\n", "12x<13>t: a")]
    [InlineData("0 <13>t: a\n", "0 <13>t: a")]
    [InlineData("12345678901 <13>t: a\n", "12345678901 <13>t: a")]
    public void ADigitPrefixThatIsNoLengthIsReadAsALine(string stream, string frame)
    {
        // Not octet counting: the syslog parser downstream will refuse it, with a sample.
        Assert.Equal([frame], Feed(Bytes(stream), 1));
        Assert.Equal([frame], Feed(Bytes(stream), 1000));
    }

    [Fact]
    public void APeerThatClosesMidMessageLeavesATruncatedFrame()
    {
        Assert.Equal(["<13>t: hal"], Feed(Bytes("20 <13>t: hal"), 3));
    }

    [Fact]
    public void RandomMessagesInRandomFramingAndChunksComeOutExactly()
    {
        var random = new Random(42);
        var messages = new List<string>();
        var stream = new StringBuilder();
        string[] alphabet = ["a", "b", " ", "{", "}", "\"", ":", "\\", "<", ">", "[", "0", "1", "9", "\u00e9", "\u4e2d", "\U0001F600"];
        for (int i = 0; i < 2_000; i++)
        {
            var body = new StringBuilder("<" + random.Next(192) + ">tag" + (i % 7) + ": ");
            int length = random.Next(0, 300);
            for (int c = 0; c < length; c++)
            {
                body.Append(alphabet[random.Next(alphabet.Length)]);
            }

            string message = body.ToString();
            messages.Add(message);
            stream.Append(random.Next(4) switch
            {
                0 => Octet(message),
                1 => message + "\n",
                2 => message + "\r\n",
                _ => message + "\0",
            });
        }

        byte[] bytes = Bytes(stream.ToString());
        foreach (int chunk in new[] { 1, 13, 509, 4096, 65536 })
        {
            Assert.Equal(messages, Feed(bytes, chunk, max: 4096, segment: 1000));
        }
    }

    [Fact]
    public void ReadingFramesAllocatesNothing()
    {
        var builder = new StringBuilder();
        for (int i = 0; i < 10_000; i++)
        {
            string message = "<13>tag: {\"status\":\"200\",\"n\":" + i + "}";
            builder.Append(i % 2 == 0 ? Octet(message) : message + "\n");
        }

        byte[] bytes = Bytes(builder.ToString());
        ReadOnlySequence<byte> buffer = Segmented(bytes, 4096);
        var frames = new SyslogFrameReader(Max);
        int Count()
        {
            var reader = new SequenceReader<byte>(buffer);
            int count = 0;
            while (frames.TryRead(ref reader, isCompleted: true, out ReadOnlySequence<byte> frame) == FrameStatus.Frame)
            {
                count += frame.IsEmpty ? 0 : 1;
            }

            return count;
        }

        Assert.Equal(10_000, Count());
        long before = GC.GetAllocatedBytesForCurrentThread();
        int counted = Count();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_000, counted);
        Assert.Equal(0, allocated);
    }
}
