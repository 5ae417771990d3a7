using System.Net;
using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;

namespace FastIngest.Tests.ClickHouse;

public sealed class ReplicaFailoverTests
{
    [Fact]
    public void OneServerHasNoFailoverInFrontOfIt()
    {
        using ClickHouseClient client = ClickHouseClients.CreateClient(new ClickHouseOptions { Url = new Uri("http://127.0.0.1:8123") }, [new Uri("http://127.0.0.1:8123")], out ReplicaFailover? failover);
        Assert.Null(failover);
    }

    [Fact]
    public async Task AReplicaThatRefusesConnectionsSendsTheNextAttemptToTheNextReplica()
    {
        int dead = FreePorts.Tcp();
        int live = FreePorts.Tcp();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{live}/");
        listener.Start();
        Task serving = Task.Run(async () =>
        {
            HttpListenerContext context = await listener.GetContextAsync();
            byte[] answer = "1\n"u8.ToArray();
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        });

        Uri[] replicas = [new($"http://127.0.0.1:{dead}"), new($"http://127.0.0.1:{live}")];
        using ClickHouseClient client = ClickHouseClients.CreateClient(new ClickHouseOptions { Url = replicas[0] }, replicas, out ReplicaFailover? failover);
        Assert.NotNull(failover);
        Assert.Equal((0, 0L), (failover.CurrentIndex, failover.Failovers));

        // The attempt on the dead replica fails as any connection failure does (the sink retries it) ...
        await Assert.ThrowsAnyAsync<Exception>(() => client.QueryTextAsync("SELECT 1 FORMAT TSV", CancellationToken.None));
        Assert.Equal((1, 1L), (failover.CurrentIndex, failover.Failovers));
        // ... and the retry goes to the next one, which answers: no further move.
        Assert.Equal("1\n", await client.QueryTextAsync("SELECT 1 FORMAT TSV", CancellationToken.None));
        Assert.Equal((1, 1L), (failover.CurrentIndex, failover.Failovers));
        await serving;
    }
}
