using System.Text;
using FastIngest.Core.Parsing.Referrers;

namespace FastIngest.Tests.Parsing.Referrers;

public sealed class ReferrerSourceListTests
{
    [Fact]
    public void TheShippedListLoadsWithEveryGroup()
    {
        ReferrerSourceList list = ReferrerSourceList.Default;

        Assert.True(list.Count >= 80, list.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(list.TryFind("google.com"u8, out ReferrerGroup search, out _));
        Assert.True(list.TryFind("t.co"u8, out ReferrerGroup social, out _));
        Assert.True(list.TryFind("outlook.live.com"u8, out ReferrerGroup email, out _));
        Assert.Equal([ReferrerGroup.Search, ReferrerGroup.Social, ReferrerGroup.Email], [search, social, email]);
    }

    [Fact]
    public void TheLongestListedSuffixWins()
    {
        ReferrerSourceList list = ReferrerSourceList.Parse("example.com\tsocial\tExample\nmail.example.com\temail\tExample Mail\nexample.*\tsearch\tExample Search\n");

        Assert.True(list.TryFind("a.mail.example.com"u8, out ReferrerGroup group, out ReferrerName name));
        Assert.Equal((ReferrerGroup.Email, "Example Mail"), (group, name.Text));
        Assert.True(list.TryFind("www2.example.com"u8, out group, out name));
        Assert.Equal((ReferrerGroup.Social, "Example"), (group, name.Text));
        Assert.True(list.TryFind("example.co.uk"u8, out group, out _));
        Assert.Equal(ReferrerGroup.Search, group);
        Assert.False(list.TryFind("example.evil.test"u8, out group, out name));
        Assert.Equal((ReferrerGroup.Other, ""), (group, name.Text));
        Assert.False(list.TryFind("notexample.com"u8, out _, out _));
        Assert.False(list.TryFind(""u8, out _, out _));
    }

    [Theory]
    [InlineData("google.com search Google")]
    [InlineData("google.com\tsearch")]
    [InlineData("google.com\tshopping\tGoogle")]
    [InlineData("Google.com\tsearch\tGoogle")]
    [InlineData("\tsearch\tGoogle")]
    [InlineData("google.com\tsearch\tGoogle\ngoogle.com\tsocial\tGoogle")]
    public void AMalformedListFailsLoudly(string text)
    {
        Assert.ThrowsAny<Exception>(() => ReferrerSourceList.Parse(text));
    }

    [Fact]
    public void EveryShippedLineIsAHostTabGroupTabName()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "FastIngest.Core", "Parsing", "Referrers", "sources.txt");
        string[] lines = File.ReadAllLines(path, Encoding.UTF8);

        int entries = 0;
        foreach (string line in lines)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] parts = line.Split('\t');
            Assert.Equal(3, parts.Length);
            Assert.Matches("^[a-z0-9.-]+(\\.\\*)?$", parts[0]);
            entries++;
        }

        Assert.Equal(ReferrerSourceList.Default.Count, entries);
    }
}
