using System.Net;
using System.Text.Json;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Http;

[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class HealthTests(PrivateClickHouse clickHouse)
{
    [Fact]
    public async Task HealthShowsClickHouseAndEveryShardAndTurnsDegradedWhenClickHouseIsGone()
    {
        string db = "health_" + Guid.NewGuid().ToString("N")[..8];
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Aggregation:Shards=3"))
        {
            using var http = new HttpClient { BaseAddress = server.HttpUri };
            using HttpResponseMessage response = await http.GetAsync(new Uri("/health", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("healthy", health.RootElement.GetProperty("status").GetString());
            Assert.True(health.RootElement.GetProperty("clickhouse").GetProperty("reachable").GetBoolean());
            Assert.Equal([0, 1, 2], health.RootElement.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("id").GetInt32()));
            Assert.All(health.RootElement.GetProperty("shards").EnumerateArray(), s => Assert.Equal(0, s.GetProperty("queue_depth").GetInt32()));
        }

        // A ClickHouse that is not there: still serving (inserts queue), but it says so.
        int nothing = ServerProcess.FreeTcpPort();
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:ClickHouse:Url=http://127.0.0.1:{nothing}"))
        {
            using var http = new HttpClient { BaseAddress = server.HttpUri };
            using HttpResponseMessage response = await http.GetAsync(new Uri("/health", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument health = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("degraded", health.RootElement.GetProperty("status").GetString());
            Assert.False(health.RootElement.GetProperty("clickhouse").GetProperty("reachable").GetBoolean());
        }
    }
}
