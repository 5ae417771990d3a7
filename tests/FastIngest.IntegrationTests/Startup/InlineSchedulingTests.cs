using System.Runtime.InteropServices;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Startup;

/// <summary>
/// Issue 15: inline scheduling is on by default, set by the server itself (Hosting/InlineScheduling sets
/// DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS in its own environment before the first socket), and
/// FastIngest:Http:InlineScheduling=false turns it off. Whether the runtime took the variable shows in its
/// socket engine threads (".NET Sockets"): with inline completions one per processor, without one per
/// 30 cores (SocketAsyncEngine.Unix.cs, GetEngineCount).
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class InlineSchedulingTests(PrivateClickHouse clickHouse)
{
    [Fact]
    public async Task TheRuntimeRunsSocketCompletionsInlineByDefault()
    {
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, UniqueName.For("inline"));
        Assert.Equal(Environment.ProcessorCount, SocketEngineThreads(server.ProcessId));
    }

    [Fact]
    public async Task TheSettingTurnsItOff()
    {
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, UniqueName.For("inline"), "--FastIngest:Http:InlineScheduling=false");
        // The runtime's default: one engine per 30 cores (x64), per 8 (Arm); on this 2-core box one, not two.
        double coresPerEngine = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 8 : 30;
        Assert.Equal(Math.Max(1, (int)Math.Round(Environment.ProcessorCount / coresPerEngine)), SocketEngineThreads(server.ProcessId));
    }

    private static int SocketEngineThreads(int processId) =>
        Directory.GetDirectories($"/proc/{processId}/task")
            .Count(task => File.Exists(Path.Combine(task, "comm")) && File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == ".NET Sockets");
}
