using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Startup;

[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class StateDirectoryTests(PrivateClickHouse clickHouse)
{
    /// <summary>Deployments from before FastIngest:StateDirectory set FastIngest:Events:StateDirectory; it still holds the state.</summary>
    [Fact]
    public async Task TheOldEventsStateDirectoryKeyStillHoldsTheStateWhenTheNewKeyIsUnset()
    {
        string legacy = Path.Combine(Path.GetTempPath(), "fastingest-legacy-state-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            // ServerProcess sets the new key; an empty value is "not set".
            await using (ServerProcess server = await ServerProcess.StartAsync(
                clickHouse, "legacy_" + Guid.NewGuid().ToString("N")[..8], "--FastIngest:StateDirectory=", $"--FastIngest:Events:StateDirectory={legacy}"))
            {
                Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
            }

            Assert.True(File.Exists(Path.Combine(legacy, "idempotency-keys.log")), "the Idempotency-Keys live in the old key's folder");
            Assert.True(Directory.Exists(Path.Combine(legacy, "spool")), "the spool lives in the old key's folder");
        }
        finally
        {
            if (Directory.Exists(legacy))
            {
                Directory.Delete(legacy, recursive: true);
            }
        }
    }
}
