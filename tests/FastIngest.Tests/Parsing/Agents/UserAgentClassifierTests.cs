using System.Text;
using System.Text.Json;
using FastIngest.Core.Parsing.Agents;

namespace FastIngest.Tests.Parsing.Agents;

public sealed class UserAgentClassifierTests
{
    public static TheoryData<int> TableLines()
    {
        var data = new TheoryData<int>();
        foreach (UserAgentTable.Row row in UserAgentTable.Rows)
        {
            data.Add(row.Line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TableLines))]
    public void ReadsEveryAgentOfTheTableAsExpected(int line)
    {
        UserAgentTable.Row row = UserAgentTable.Rows.Single(r => r.Line == line);

        UserAgentClass c = UserAgentClassifier.Classify(row.Agent);

        string bot = c.IsBot ? UserAgentNames.Of(c.BotKind) + ":" + UserAgentNames.Of(c.Bot) : "-";
        // The agent on both sides so a failure names it.
        Assert.Equal(
            $"{row.Escaped}\t{row.Browser}\t{row.Major}\t{row.Os}\t{row.Device}\t{row.Bot}",
            $"{row.Escaped}\t{UserAgentNames.Of(c.Browser)}\t{c.MajorVersion}\t{UserAgentNames.Of(c.Os)}\t{UserAgentNames.Of(c.Device)}\t{bot}");
    }

    [Fact]
    public void TheTableHoldsAtLeast300DistinctAgents()
    {
        Assert.True(UserAgentTable.Rows.Count >= 300, $"{UserAgentTable.Rows.Count} rows");
        Assert.Equal(UserAgentTable.Rows.Count, UserAgentTable.Rows.Select(r => r.Escaped).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void TheTableCoversEveryAgentOfTheRealNginxCorpus()
    {
        var table = new HashSet<string>(UserAgentTable.Rows.Select(r => Convert.ToHexString(r.Agent)), StringComparer.Ordinal);
        var corpus = new HashSet<string>(StringComparer.Ordinal);
        foreach (byte[] line in Corpus.JsonLines)
        {
            using JsonDocument json = JsonDocument.Parse(line);
            if (json.RootElement.TryGetProperty("http_user_agent", out JsonElement agent))
            {
                corpus.Add(Convert.ToHexString(Encoding.UTF8.GetBytes(agent.GetString()!)));
            }
        }

        Assert.True(corpus.Count >= 5, $"{corpus.Count} distinct corpus agents");
        Assert.Equal([], corpus.Where(a => !table.Contains(a)).ToArray());
    }

    [Theory]
    [InlineData("Mozilla/5.0 (compatible; GOOGLEBOT/2.1)", "google")]
    [InlineData("CURL/8.0", "curl")]
    [InlineData("Mozilla/5.0 (Linux; Android 9; Cubot Note 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/100.0.0.0 Mobile Safari/537.36", "")]
    [InlineData("Mozilla/5.0 (Linux; Android 9; CUBOT X30) AppleWebKit/537.36 Chrome/100.0.0.0 Mobile Safari/537.36 robot", "unnamed")]
    public void NamesMatchWhateverTheirCaseAndAPhoneCalledCubotIsNoBot(string agent, string expected)
    {
        Assert.Equal(expected, UserAgentNames.Of(UserAgentClassifier.Classify(Encoding.UTF8.GetBytes(agent)).Bot));
    }

    [Fact]
    public void OnlyTheFirstBytesAreRead()
    {
        string chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        byte[] padded = Encoding.UTF8.GetBytes(chrome + new string(' ', UserAgentClassifier.MaxScannedBytes) + "Googlebot");

        UserAgentClass c = UserAgentClassifier.Classify(padded);

        Assert.Equal((BrowserFamily.Chrome, 120, false), (c.Browser, c.MajorVersion, c.IsBot));
    }

    [Fact]
    public void AVersionTooLargeForABrowserReadsAsUnknown()
    {
        UserAgentClass c = UserAgentClassifier.Classify("Mozilla/5.0 (X11; Linux x86_64) Chrome/99999999999999999999.0 Safari/537.36"u8);

        Assert.Equal((BrowserFamily.Chrome, 0), (c.Browser, c.MajorVersion));
    }

    [Fact]
    public void EveryValueHasADistinctColumnName()
    {
        AssertNames(Enum.GetValues<BrowserFamily>().Select(UserAgentNames.Of), allowEmptyFirst: false);
        AssertNames(Enum.GetValues<OsFamily>().Select(UserAgentNames.Of), allowEmptyFirst: false);
        AssertNames(Enum.GetValues<DeviceClass>().Select(UserAgentNames.Of), allowEmptyFirst: false);
        AssertNames(Enum.GetValues<BotKind>().Select(UserAgentNames.Of), allowEmptyFirst: true);
        AssertNames(Enum.GetValues<BotFamily>().Select(UserAgentNames.Of), allowEmptyFirst: true);
    }

    [Fact]
    public void EveryNamedBotHasTheKindOfItsRange()
    {
        Assert.Equal(BotKind.Crawler, UserAgentClassifier.KindOf(BotFamily.Google));
        Assert.Equal(BotKind.Crawler, UserAgentClassifier.KindOf(BotFamily.Scrapy));
        Assert.Equal(BotKind.Headless, UserAgentClassifier.KindOf(BotFamily.Lighthouse));
        Assert.Equal(BotKind.Library, UserAgentClassifier.KindOf(BotFamily.Curl));
        Assert.Equal(BotKind.Library, UserAgentClassifier.KindOf(BotFamily.PowerShell));
        Assert.Equal(BotKind.Monitor, UserAgentClassifier.KindOf(BotFamily.UptimeRobot));
        Assert.Equal(BotKind.Monitor, UserAgentClassifier.KindOf(BotFamily.BetterStack));
        Assert.Equal(BotKind.Generic, UserAgentClassifier.KindOf(BotFamily.Unnamed));
        Assert.Equal(BotKind.None, UserAgentClassifier.KindOf(BotFamily.None));
    }

    private static void AssertNames(IEnumerable<string> names, bool allowEmptyFirst)
    {
        string[] all = [.. names];
        Assert.Equal(all.Length, all.Distinct(StringComparer.Ordinal).Count());
        for (int i = 0; i < all.Length; i++)
        {
            if (i == 0 && allowEmptyFirst)
            {
                Assert.Equal("", all[i]);
                continue;
            }

            Assert.Matches("^[a-z0-9_]+$", all[i]);
        }
    }
}
