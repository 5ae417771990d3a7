using FastIngest.Core.Parsing.Agents;

namespace FastIngest.Tests.Parsing.Agents;

/// <summary>Any bytes (an agent is whatever a sender puts in a header) classify without throwing, into defined values.</summary>
public sealed class UserAgentClassifierPropertyTests
{
    [Fact]
    public void RandomBytesNeverThrowAndAlwaysReadInRange()
    {
        var random = new Random(18);
        var buffer = new byte[UserAgentClassifier.MaxScannedBytes * 2];
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(i % 10 == 0 ? buffer.Length : 200);
            random.NextBytes(buffer.AsSpan(0, length));
            AssertInRange(UserAgentClassifier.Classify(buffer.AsSpan(0, length)));
        }
    }

    [Fact]
    public void MutatedRealAgentsNeverThrowAndAlwaysReadInRange()
    {
        var random = new Random(1818);
        // Bytes that take part in the tokens and versions the classifier looks for.
        byte[] alphabet = "/;() .0123456789MobileAndroidiPadChromeEdgOPRbotVersionSafariTrident:rv"u8.ToArray();
        foreach (UserAgentTable.Row row in UserAgentTable.Rows)
        {
            for (int m = 0; m < 30; m++)
            {
                var agent = new List<byte>(row.Agent);
                int edits = 1 + random.Next(4);
                for (int e = 0; e < edits; e++)
                {
                    int at = agent.Count == 0 ? 0 : random.Next(agent.Count);
                    switch (random.Next(4))
                    {
                        case 0 when agent.Count > 0:
                            agent.RemoveAt(at);
                            break;
                        case 1:
                            agent.Insert(at, alphabet[random.Next(alphabet.Length)]);
                            break;
                        case 2 when agent.Count > 0:
                            agent[at] = (byte)random.Next(256);
                            break;
                        default:
                            agent.RemoveRange(at, agent.Count - at);
                            break;
                    }
                }

                AssertInRange(UserAgentClassifier.Classify(agent.ToArray()));
            }
        }
    }

    private static void AssertInRange(UserAgentClass c)
    {
        Assert.True(Enum.IsDefined(c.Browser));
        Assert.True(Enum.IsDefined(c.Os));
        Assert.True(Enum.IsDefined(c.Device));
        Assert.True(Enum.IsDefined(c.BotKind));
        Assert.True(Enum.IsDefined(c.Bot));
        Assert.InRange(c.MajorVersion, 0, UserAgentClassifier.MaxMajorVersion);
        Assert.Equal(c.BotKind == BotKind.None, c.Bot == BotFamily.None);
        Assert.Equal(c.BotKind != BotKind.None, c.IsBot);
    }
}
