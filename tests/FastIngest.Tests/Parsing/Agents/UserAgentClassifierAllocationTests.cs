using FastIngest.Core.Parsing.Agents;

namespace FastIngest.Tests.Parsing.Agents;

public sealed class UserAgentClassifierAllocationTests
{
    [Fact]
    public void ClassifyingAndNamingAllocateNothingOnceWarm()
    {
        byte[][] agents = [.. UserAgentTable.Rows.Select(r => r.Agent)];
        long sum = Run(agents);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            sum += Run(agents);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }

    private static long Run(byte[][] agents)
    {
        long sum = 0;
        foreach (byte[] agent in agents)
        {
            UserAgentClass c = UserAgentClassifier.Classify(agent);
            sum += c.MajorVersion + UserAgentNames.Of(c.Browser).Length + UserAgentNames.Of(c.Os).Length
                + UserAgentNames.Of(c.Device).Length + UserAgentNames.Of(c.Bot).Length + UserAgentNames.Of(c.BotKind).Length;
        }

        return sum;
    }
}
