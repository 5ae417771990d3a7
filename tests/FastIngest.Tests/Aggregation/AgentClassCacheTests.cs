using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Parsing.Agents;
using FastIngest.Tests.Parsing.Agents;

namespace FastIngest.Tests.Aggregation;

/// <summary>The shard's cache in front of the user-agent classifier: the same answers, bounded whatever it is sent (issue 18).</summary>
public sealed class AgentClassCacheTests
{
    [Fact]
    public void AnswersWhatTheClassifierAnswersForEveryAgentOfTheTableTheFirstTimeAndAfter()
    {
        var cache = new AgentClassCache();
        for (int pass = 0; pass < 3; pass++)
        {
            foreach (UserAgentTable.Row row in UserAgentTable.Rows)
            {
                Assert.Equal(UserAgentClassifier.Classify(row.Agent), cache.Classify(row.Agent));
            }
        }

        int rows = UserAgentTable.Rows.Count;
        int distinct = UserAgentTable.Rows.Select(r => Convert.ToHexString(r.Agent[..Math.Min(r.Agent.Length, UserAgentClassifier.MaxScannedBytes)])).Distinct().Count();
        Assert.Equal(3L * rows, cache.Hits + cache.Misses);
        // Each distinct agent is classified once, but for the rare three that share a set of two slots
        // (with 371 agents in 2048 sets, ~2 such triples are expected) and evict each other on every pass.
        Assert.InRange(cache.Misses, distinct, distinct + (2 * 3 * 10));
        Assert.True(cache.Hits > rows * 17 / 10, $"only {cache.Hits} hits of {3 * rows}");
    }

    [Fact]
    public void AFloodOfDistinctAgentsAllocatesNothingAndEveryAnswerStaysRight()
    {
        var cache = new AgentClassCache();
        byte[] agent = Encoding.ASCII.GetBytes("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 r00000000");
        byte[] bot = Encoding.ASCII.GetBytes("python-requests/2.32.00000000");
        cache.Classify(agent);
        cache.Classify(bot);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            // A new agent every time: nothing to hit, each one classified and stored in place of another.
            Stamp(agent, i);
            Stamp(bot, i);
            if (cache.Classify(agent).Browser != BrowserFamily.Chrome || cache.Classify(bot).Bot != BotFamily.PythonRequests)
            {
                Assert.Fail($"wrong class at {i}");
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(96 * 1024, AgentClassCache.CapacityBytes);

        static void Stamp(byte[] text, int i)
        {
            for (int d = 0; d < 8; d++)
            {
                text[^(d + 1)] = (byte)('0' + (i >> (3 * d) & 7));
            }
        }
    }

    [Fact]
    public void AgentsThatDifferOnlyPastWhatTheClassifierReadsShareTheirClass()
    {
        var cache = new AgentClassCache();
        string head = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1 ";
        byte[] first = Encoding.ASCII.GetBytes(head + new string('a', 600));
        byte[] second = Encoding.ASCII.GetBytes(head + new string('a', 500) + " Googlebot/2.1");
        UserAgentClass one = cache.Classify(first);
        Assert.Equal(one, cache.Classify(second));
        Assert.Equal(1, cache.Hits);
        Assert.Equal(UserAgentClassifier.Classify(second), one); // the classifier reads only 512 bytes too
    }

    [Fact]
    public void OffItClassifiesEveryAgent()
    {
        var cache = new AgentClassCache(enabled: false);
        UserAgentTable.Row row = UserAgentTable.Rows[1];
        Assert.Equal(UserAgentClassifier.Classify(row.Agent), cache.Classify(row.Agent));
        Assert.Equal(UserAgentClassifier.Classify(row.Agent), cache.Classify(row.Agent));
        Assert.Equal((0L, 2L), (cache.Hits, cache.Misses));
    }
}
