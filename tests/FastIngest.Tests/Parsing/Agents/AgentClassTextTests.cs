using System.Text;
using FastIngest.Core.Parsing.Agents;

namespace FastIngest.Tests.Parsing.Agents;

/// <summary><c>requests_raw.agent_class</c>: a short stable text of the class, never the agent (issue 18).</summary>
public sealed class AgentClassTextTests
{
    private static string Text(UserAgentClass agent)
    {
        var buffer = new byte[AgentClassText.MaxBytes];
        return Encoding.ASCII.GetString(buffer, 0, AgentClassText.Write(agent, buffer));
    }

    [Theory]
    [InlineData("Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "chrome/android/mobile")]
    [InlineData("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "safari/ios/tablet")]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot:google")]
    [InlineData("curl/8.5.0", "bot:curl")]
    [InlineData("-", "bot:no_agent")]
    [InlineData("", "bot:no_agent")]
    [InlineData("Mozilla/5.0 (compatible; SomethingBot/1.0)", "bot:generic")]
    [InlineData("Dalvik/2.1.0 (Linux; U; Android 13)", "other/android/unknown")]
    [InlineData("Mozilla/5.0 AliceBrowser", "other/other/unknown")] // the integration tests' agents
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) \\ test", "other/linux/unknown")]
    public void ABrowserReadsAsBrowserOsDeviceAndABotAsItsFamilyOrKind(string agent, string expected) =>
        Assert.Equal(expected, Text(UserAgentClassifier.Classify(Encoding.UTF8.GetBytes(agent))));

    [Fact]
    public void EveryCombinationFitsAndNeverAllocates()
    {
        int longest = 0;
        var buffer = new byte[AgentClassText.MaxBytes];
        BrowserFamily[] browsers = Enum.GetValues<BrowserFamily>();
        OsFamily[] systems = Enum.GetValues<OsFamily>();
        DeviceClass[] devices = Enum.GetValues<DeviceClass>();
        BotKind[] kinds = Enum.GetValues<BotKind>();
        BotFamily[] bots = Enum.GetValues<BotFamily>();
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (BrowserFamily browser in browsers)
        {
            foreach (OsFamily os in systems)
            {
                foreach (DeviceClass device in devices)
                {
                    longest = Math.Max(longest, AgentClassText.Write(new UserAgentClass(browser, 0, os, device, BotKind.None, BotFamily.None), buffer));
                }
            }
        }

        foreach (BotKind kind in kinds)
        {
            foreach (BotFamily bot in bots)
            {
                longest = Math.Max(longest, AgentClassText.Write(new UserAgentClass(BrowserFamily.Chrome, 131, OsFamily.Android, DeviceClass.Mobile, kind, bot), buffer));
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.InRange(longest, 20, AgentClassText.MaxBytes);
    }
}
