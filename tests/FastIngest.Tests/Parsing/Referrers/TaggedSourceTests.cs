using System.Text;
using FastIngest.Core.Parsing.Referrers;

namespace FastIngest.Tests.Parsing.Referrers;

public sealed class TaggedSourceTests
{
    [Theory]
    [InlineData("/pricing?utm_source=Newsletter&utm_medium=email", "newsletter")]
    [InlineData("/?ref=producthunt", "producthunt")]
    [InlineData("/?source=HackerNews", "hackernews")]
    [InlineData("/?ref=a&source=b&utm_source=c", "c")]
    [InlineData("/?ref=a&source=b", "b")]
    [InlineData("/?utm_source=&ref=fallback", "fallback")]
    [InlineData("/?utm_source=spring+sale%21", "spring sale!")]
    [InlineData("/?utm_source=%20%20padded%20", "padded")]
    [InlineData("/?utm_source=a%2Fb%3Dc", "a/b=c")]
    [InlineData("https://mysite.test/a?utm_source=x.com#utm_source=no", "x.com")]
    [InlineData("/a#?utm_source=fragment", "")]
    [InlineData("/?utm_source=first&utm_source=second", "first")]
    [InlineData("/?xutm_source=no&utm_sourcex=no", "")]
    [InlineData("/?UTM_SOURCE=names-match-as-sent", "")]
    [InlineData("/?utm_source", "")]
    [InlineData("/?utm_source=%", "")]
    [InlineData("/?utm_source=%zz", "")]
    [InlineData("/?utm_source=%0Anewline", "")]
    [InlineData("/?utm_source=t%C3%A9l%C3%A9gram", "")]
    [InlineData("/?utm_source=tél", "")]
    [InlineData("/?utm_source=%00&ref=ok", "ok")]
    [InlineData("/?utm_source=+++", "")]
    [InlineData("/no/query", "")]
    [InlineData("", "")]
    [InlineData("?", "")]
    [InlineData("/?&&&=&ref=x", "x")]
    public void ReadsTheTaggedSourceOfThePageUrl(string target, string expected)
    {
        var value = new byte[TaggedSource.MaxBytes];

        int length = TaggedSource.Read(Encoding.UTF8.GetBytes(target), value);

        Assert.Equal(expected, Encoding.UTF8.GetString(value, 0, length));
    }

    [Fact]
    public void ALongValueIsCutAtTheCap()
    {
        var value = new byte[TaggedSource.MaxBytes];
        byte[] target = Encoding.UTF8.GetBytes("/?utm_source=" + new string('A', 500) + "&ref=x");

        int length = TaggedSource.Read(target, value);

        Assert.Equal(TaggedSource.MaxBytes, length);
        Assert.Equal(new string('a', TaggedSource.MaxBytes), Encoding.UTF8.GetString(value, 0, length));
    }

    [Fact]
    public void ASmallerDestinationIsTheCap()
    {
        var value = new byte[4];

        int length = TaggedSource.Read("/?utm_source=newsletter"u8, value);

        Assert.Equal("news", Encoding.UTF8.GetString(value, 0, length));
    }

    [Fact]
    public void AnyBytesGiveAtMostABoundedPrintableLowercaseValue()
    {
        var random = new Random(18);
        byte[] alphabet = "?&=#%+utm_sorcef0A9 zé/"u8.ToArray();
        var value = new byte[TaggedSource.MaxBytes];
        for (int i = 0; i < 200_000; i++)
        {
            byte[] target = new byte[random.Next(0, 80)];
            for (int j = 0; j < target.Length; j++)
            {
                target[j] = random.Next(10) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }

            if (random.Next(2) == 0 && target.Length > 14)
            {
                "?utm_source="u8.CopyTo(target.AsSpan(random.Next(target.Length - 12)));
            }

            int length = TaggedSource.Read(target, value);

            Assert.InRange(length, 0, TaggedSource.MaxBytes);
            ReadOnlySpan<byte> kept = value.AsSpan(0, length);
            Assert.False(kept.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E), Encoding.Latin1.GetString(target));
            Assert.False(kept.ContainsAnyInRange((byte)'A', (byte)'Z'), Encoding.Latin1.GetString(target));
            Assert.True(kept.IsEmpty || (kept[0] != ' ' && kept[^1] != ' '), Encoding.Latin1.GetString(target));
        }
    }

    [Fact]
    public void ReadingAllocatesNothing()
    {
        var value = new byte[TaggedSource.MaxBytes];
        byte[] target = "/pricing?gclid=abc&utm_medium=email&utm_source=Spring%20Newsletter"u8.ToArray();
        int sum = TaggedSource.Read(target, value);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            sum += TaggedSource.Read(target, value);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(17 * 10_001, sum);
    }
}
