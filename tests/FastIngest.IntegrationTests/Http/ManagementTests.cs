using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Http;

/// <summary>
/// Issue 14: <c>/health</c> answers from state the components keep (a flood of it asks ClickHouse
/// nothing), and <c>/metrics</c> and <c>/health</c>'s details need the management key or port once one is
/// configured. The pixel stays public.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class ManagementTests(PrivateClickHouse clickHouse)
{
    private const string ManagementKey = "management-key-0123456789";

    private static async Task<double> PingsAsync(HttpClient http, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        string line = (await response.Content.ReadAsStringAsync()).Split('\n').Single(l => l.StartsWith("fastingest_clickhouse_pings_total ", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>ClickHouse's own count of the SELECT queries it has run (this query included), from <c>system.events</c>.</summary>
    private async Task<long> SelectQueriesAsync()
    {
        string count = await clickHouse.QueryAsync("SELECT sum(value) FROM system.events WHERE event = 'SelectQuery' FORMAT TSV");
        return long.Parse(count.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task AFloodOfHealthChecksSendsClickHouseNoQuery()
    {
        string db = UniqueName.For("mgmt");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Management:PingInterval=01:00:00");
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        // The one ping at start has been sent (the first /health already knew the answer).
        Assert.Equal(1, await PingsAsync(http));
        long before = await SelectQueriesAsync();

        await Parallel.ForEachAsync(Enumerable.Range(0, 500), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, cancellationToken) =>
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });

        long after = await SelectQueriesAsync();
        ServerHealth health = await server.HealthAsync();
        Assert.Equal("healthy", health.Body.GetProperty("status").GetString());
        Assert.True(health.Body.GetProperty("clickhouse").GetProperty("reachable").GetBoolean());
        // ClickHouse ran one SELECT since: the test's own count. Nothing else in this test selects (the
        // collection runs one test at a time, and inserts are not selects).
        Assert.Equal(before + 1, after);
        Assert.Equal(1, await PingsAsync(http));
    }

    [Fact]
    public async Task WithAManagementKeyMetricsAndHealthDetailsNeedItAndThePixelStaysPublic()
    {
        string db = UniqueName.For("mgmt");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:Management:Key={ManagementKey}",
            "--FastIngest:Tenants:shop:ApiKeys:0=shop-key-1");
        using var http = new HttpClient { BaseAddress = server.HttpUri };

        using (HttpResponseMessage metrics = await http.GetAsync(new Uri("/metrics", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
            Assert.DoesNotContain("shop", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // An API key is not a management key.
        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative)))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "shop-key-1");
            using HttpResponseMessage metrics = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        }

        Assert.True(await PingsAsync(http, ManagementKey) >= 1);

        // Public /health: the status alone.
        string publicHealth = await http.GetStringAsync(new Uri("/health", UriKind.Relative));
        using (JsonDocument body = JsonDocument.Parse(publicHealth))
        {
            Assert.Equal(["status"], body.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/health", UriKind.Relative)))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ManagementKey);
            using HttpResponseMessage response = await http.SendAsync(request);
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(body.RootElement.GetProperty("clickhouse").GetProperty("reachable").GetBoolean());
            Assert.True(body.RootElement.TryGetProperty("spool", out _));
        }

        // The pixel: no key, no limiter.
        for (int i = 0; i < 50; i++)
        {
            using HttpResponseMessage pixel = await http.GetAsync(new Uri("/p/shop/home.gif", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, pixel.StatusCode);
        }
    }

    [Fact]
    public async Task WithAManagementPortMetricsAndHealthDetailsAnswerOnlyThere()
    {
        string db = UniqueName.For("mgmt");
        int port = FreePorts.Tcp();
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:Management:Port={port}", "--FastIngest:Management:BindAddress=127.0.0.1");
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        using var management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using (HttpResponseMessage metrics = await http.GetAsync(new Uri("/metrics", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
        }

        Assert.True(await PingsAsync(management) >= 1);
        using (JsonDocument body = JsonDocument.Parse(await http.GetStringAsync(new Uri("/health", UriKind.Relative))))
        {
            Assert.Equal(["status"], body.RootElement.EnumerateObject().Select(p => p.Name));
        }

        using (JsonDocument body = JsonDocument.Parse(await management.GetStringAsync(new Uri("/health", UriKind.Relative))))
        {
            Assert.True(body.RootElement.GetProperty("clickhouse").GetProperty("reachable").GetBoolean());
        }
    }
}
