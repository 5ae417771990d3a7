using System.Text;
using FastIngest.Core.Parsing;

namespace FastIngest.Tests.Parsing;

public sealed class LineFramerTests
{
    private static (List<string> Lines, int Consumed) Frame(string data, bool final, long skipBefore = 0)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(data);
        var lines = new List<string>();
        var framer = new LineFramer(bytes, final, skipBefore);
        while (framer.TryReadLine(out ReadOnlySpan<byte> line))
        {
            lines.Add(Encoding.UTF8.GetString(line));
        }

        return (lines, framer.Consumed);
    }

    [Fact]
    public void ReturnsTerminatedLinesAndLeavesTheRestForMoreData()
    {
        (List<string> lines, int consumed) = Frame("a\nbb\ncc", final: false);

        Assert.Equal(["a", "bb"], lines);
        Assert.Equal(5, consumed);
    }

    [Fact]
    public void FinalDataEndsWithItsUnterminatedLine()
    {
        (List<string> lines, int consumed) = Frame("a\nbb\ncc", final: true);

        Assert.Equal(["a", "bb", "cc"], lines);
        Assert.Equal(7, consumed);
    }

    [Fact]
    public void SkipsBlankLinesAndKeepsTheCarriageReturnForTheParser()
    {
        (List<string> lines, int consumed) = Frame("a\r\n\r\n\n b\r\n", final: false);

        Assert.Equal(["a\r", " b\r"], lines);
        Assert.Equal(10, consumed);
    }

    [Fact]
    public void ConsumesButSkipsLinesThatStartBeforeTheOffset()
    {
        // "one\n" is 0..3, "two\n" 4..7, "three\n" 8..13: an offset inside "two" skips it too.
        (List<string> lines, int consumed) = Frame("one\ntwo\nthree\n", final: false, skipBefore: 5);

        Assert.Equal(["three"], lines);
        Assert.Equal(14, consumed);
    }

    [Fact]
    public void EmptyDataHasNoLines()
    {
        (List<string> lines, int consumed) = Frame("", final: true);

        Assert.Empty(lines);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void EveryReadSplitGivesTheSameLines()
    {
        const string Data = "first\r\nsecond\n\nthird line\nlast";
        (List<string> whole, _) = Frame(Data, final: true);
        for (int split = 0; split <= Data.Length; split++)
        {
            // What a file source does: frame what it has, keep the unconsumed rest, append the next read.
            (List<string> lines, int consumed) = Frame(Data[..split], final: false);
            (List<string> rest, int restConsumed) = Frame(Data[consumed..], final: true);
            lines.AddRange(rest);

            Assert.Equal(whole, lines);
            Assert.Equal(Data.Length, consumed + restConsumed);
        }
    }
}
