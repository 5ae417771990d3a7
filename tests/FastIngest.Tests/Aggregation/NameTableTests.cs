using System.Text;
using FastIngest.Core.Aggregation;

namespace FastIngest.Tests.Aggregation;

public sealed class NameTableTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void AFullTableRefusesNewNamesButStillFindsKnownOnes()
    {
        var table = new NameTable(2, "(other)"u8);
        Assert.True(table.TryGet(Utf8("/a"), out InternedName a));
        Assert.True(table.TryGet(Utf8("/b"), out _));
        Assert.False(table.TryGet(Utf8("/c"), out _));
        Assert.True(table.TryGet(Utf8("/a"), out InternedName again));
        Assert.Same(a, again);
        Assert.Equal(0, table.Other!.Id);
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void RecyclingAFullTableMakesRoomForNewNamesAndKeepsTheFoldName()
    {
        var table = new NameTable(4, "(other)"u8);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(table.TryGet(Utf8("/old" + i), out _));
        }

        Assert.False(table.TryGet(Utf8("/new"), out _));
        // Every name was used this interval and the table is full: a flood, so everything but (other) goes.
        Assert.Equal(4, table.Recycle());

        Assert.True(table.TryGet(Utf8("/new"), out InternedName fresh));
        Assert.InRange(fresh.Id, 1, 4); // an id of a forgotten name, not a fifth one
        Assert.False(table.TryFind(Utf8("/old0"), out _));
        Assert.True(table.TryFind("(other)"u8, out InternedName other));
        Assert.Same(table.Other, other);
    }

    [Fact]
    public void RecyclingForgetsOnlyNamesTheIntervalDidNotUseWhileThatMakesEnoughRoom()
    {
        var table = new NameTable(8, "(other)"u8);
        for (int i = 0; i < 6; i++)
        {
            Assert.True(table.TryGet(Utf8("/p" + i), out _));
        }

        Assert.Equal(0, table.Recycle()); // three quarters full, but every name was used: keep them all

        Assert.True(table.TryFind(Utf8("/p1"), out InternedName hot));
        Assert.True(table.TryGet(Utf8("/p2"), out _));
        Assert.Equal(4, table.Recycle()); // /p0, /p3, /p4, /p5 went unused

        Assert.True(table.TryFind(Utf8("/p1"), out InternedName stillHot));
        Assert.Same(hot, stillHot);
        Assert.True(table.TryFind(Utf8("/p2"), out _));
        Assert.False(table.TryFind(Utf8("/p0"), out _));
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void ATableUnderThreeQuartersFullForgetsNothing()
    {
        var table = new NameTable(100, "(other)"u8);
        Assert.True(table.TryGet(Utf8("/once"), out InternedName once));
        Assert.Equal(0, table.Recycle());
        Assert.Equal(0, table.Recycle());
        Assert.True(table.TryFind(Utf8("/once"), out InternedName found));
        Assert.Same(once, found);
    }

    [Fact]
    public void ForgottenNamesKeepTheirBytesForRowsStillQueuedInTheSink()
    {
        var table = new NameTable(1);
        Assert.True(table.TryGet(Utf8("/gone"), out InternedName gone));
        byte[] queued = gone.NameUtf8;
        table.Recycle();
        Assert.True(table.TryGet(Utf8("/next"), out InternedName next));
        Assert.Equal(gone.Id, next.Id);
        Assert.Equal("/gone", Encoding.UTF8.GetString(queued));
    }
}
