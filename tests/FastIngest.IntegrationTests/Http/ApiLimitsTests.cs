using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Http;

/// <summary>
/// Issue 14, keys and limits, against the real server: authentication before any limiter, partitions
/// only from what was verified (a key's tenant, the client address, a trusted proxy's word), and
/// <c>/ingest</c>'s byte and concurrency limits, each refusal a 429 with a whole-seconds Retry-After.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class ApiLimitsTests(PrivateClickHouse clickHouse)
{
    private const string ShopEvent = """{"site_id":"shop","event_type":"page_view","path":"/"}""";

    private static async Task<HttpResponseMessage> PostEventAsync(HttpClient http, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/event", UriKind.Relative))
        {
            Content = new StringContent(ShopEvent, Encoding.UTF8, "application/json"),
        };
        configure?.Invoke(request);
        return await http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> IngestAsync(HttpClient http, string ndjson)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/ingest", UriKind.Relative))
        {
            Content = new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"),
        };
        return await http.SendAsync(request);
    }

    /// <summary>Retry-After as a client library reads it: whole seconds, at least 1.</summary>
    private static int RetryAfterSeconds(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        string header = Assert.Single(response.Headers.GetValues("Retry-After"));
        int seconds = int.Parse(header, NumberStyles.None, CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 1, 3600);
        Assert.Equal(TimeSpan.FromSeconds(seconds), response.Headers.RetryAfter?.Delta);
        return seconds;
    }

    private static string Events(int count, int pathBytes) =>
        string.Concat(Enumerable.Repeat("""{"site_id":"shop","event_type":"page_view","path":"/""" + new string('a', pathBytes) + "\"}\n", count));

    [Fact]
    public async Task AKeySprayGetsOnly401sAndTheValidKeyKeepsItsOwnBucket()
    {
        string db = UniqueName.For("limits");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            "--FastIngest:Tenants:shop:ApiKeys:0=shop-key-1", "--FastIngest:Events:RequestsPerSecond=1", "--FastIngest:Events:Burst=10");
        using var http = new HttpClient { BaseAddress = server.HttpUri };

        // A thousand invented keys, one per request: each is a 401, none a bucket of its own.
        int[] sprayed = new int[1_000];
        await Parallel.ForEachAsync(Enumerable.Range(0, sprayed.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            using HttpResponseMessage response = await PostEventAsync(http, r => r.Headers.Add("X-Api-Key", "invented-" + Guid.NewGuid().ToString("N")));
            sprayed[i] = (int)response.StatusCode;
        });
        Assert.All(sprayed, status => Assert.Equal(401, status));

        // One invented key, far past the burst: still 401, never 429; the limiter never saw it.
        for (int i = 0; i < 30; i++)
        {
            using HttpResponseMessage response = await PostEventAsync(http, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "same-invented-key"));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // The real key has its whole burst, then 429 with a Retry-After a client can follow.
        var statuses = new List<HttpStatusCode>();
        int? retryAfter = null;
        for (int i = 0; i < 20; i++)
        {
            using HttpResponseMessage response = await PostEventAsync(http, r => r.Headers.Add("X-Api-Key", "shop-key-1"));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                retryAfter ??= RetryAfterSeconds(response);
            }
        }

        Assert.True(statuses.Take(10).All(s => s == HttpStatusCode.OK), string.Join(",", statuses));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.NotNull(retryAfter);
        Assert.Equal(1_030, await server.MetricAsync("fastingest_http_refused_total{reason=\"unauthorized\"}"));
    }

    [Fact]
    public async Task InOpenModeForwardedForCountsOnlyFromAKnownProxy()
    {
        string db = UniqueName.For("limits");
        string[] limits = ["--FastIngest:Events:RequestsPerSecond=1", "--FastIngest:Events:Burst=5"];

        // No KnownProxies: whatever X-Forwarded-For says, every request is 127.0.0.1's, one bucket.
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, limits))
        {
            using var http = new HttpClient { BaseAddress = server.HttpUri };
            var statuses = new List<HttpStatusCode>();
            for (int i = 0; i < 30; i++)
            {
                using HttpResponseMessage response = await PostEventAsync(http, r => r.Headers.Add("X-Forwarded-For", $"198.51.100.{i + 1}"));
                statuses.Add(response.StatusCode);
            }

            Assert.True(statuses.Count(s => s == HttpStatusCode.TooManyRequests) >= 15, string.Join(",", statuses));
        }

        // 127.0.0.1 is a trusted proxy: the addresses it forwards are the partitions, each with its own burst.
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, [.. limits, "--FastIngest:Http:KnownProxies:0=127.0.0.1"]))
        {
            using var http = new HttpClient { BaseAddress = server.HttpUri };
            for (int i = 0; i < 30; i++)
            {
                // The leftmost entry is the client's own claim; the proxy appended what it saw.
                using HttpResponseMessage response = await PostEventAsync(http, r => r.Headers.Add("X-Forwarded-For", $"203.0.113.9, 198.51.100.{i + 1}"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            var statuses = new List<HttpStatusCode>();
            for (int i = 0; i < 15; i++)
            {
                using HttpResponseMessage response = await PostEventAsync(http, r => r.Headers.Add("X-Forwarded-For", $"192.0.2.{i + 1}, 198.51.100.77"));
                statuses.Add(response.StatusCode);
            }

            Assert.True(statuses.Take(5).All(s => s == HttpStatusCode.OK), string.Join(",", statuses));
            Assert.True(statuses.Count(s => s == HttpStatusCode.TooManyRequests) >= 5, string.Join(",", statuses));
        }
    }

    [Fact]
    public async Task IngestPastItsBytesPerSecondIs429WithARetryAfterThatWorks()
    {
        string db = UniqueName.For("limits");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            "--FastIngest:Events:IngestBytesPerSecond=2048", "--FastIngest:Events:IngestBurstBytes=8192");
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        string batch = Events(50, 100);
        Assert.InRange(Encoding.UTF8.GetByteCount(batch), 6000, 8192);

        using (HttpResponseMessage first = await IngestAsync(http, batch))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        int retryAfter;
        using (HttpResponseMessage second = await IngestAsync(http, batch))
        {
            retryAfter = RetryAfterSeconds(second);
            Assert.Contains("bytes per second", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The bucket refills at 2 KiB/s: some 3 s for the batch's ~6.5 KB; Retry-After says as much.
        Assert.InRange(retryAfter, 2, 4);
        await Eventually.UntilAsync(async () => (await IngestAsync(http, batch)).StatusCode, s => s == HttpStatusCode.Accepted, TimeSpan.FromSeconds(30),
            "the batch to be accepted once its bytes have been paid back", TimeSpan.FromSeconds(retryAfter));
        Assert.True(await server.MetricAsync("fastingest_http_refused_total{reason=\"bytes_rate\"}") >= 1);
    }

    [Fact]
    public async Task IngestAdmitsOnlyItsConcurrencyPerPartitionAndTheNextIs429()
    {
        string db = UniqueName.For("limits");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Events:IngestConcurrency=2");
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        // Large enough to trickle for a minute: Kestrel ends a body slower than 240 B/s after 5 s
        // (MinRequestBodyDataRate), which would free a slot under the test's feet on a slow machine.
        byte[] body = Encoding.UTF8.GetBytes(Events(4000, 10));
        const int Chunk = 1024;
        var held = new List<(Socket Socket, int Sent)>();

        async Task<(Socket, int)> HoldAsync()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, server.HttpPort);
            await socket.SendAsync(Encoding.ASCII.GetBytes(
                $"POST /ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nContent-Length: {body.Length}\r\n\r\n"));
            await socket.SendAsync(body.AsMemory(0, Chunk));
            return (socket, Chunk);
        }

        // Each look: the held requests get their next chunk (5 KB/s at the 200 ms interval), and one answered
        // already is replaced: on a loaded machine the server may take a probe before a held request, which
        // then is the one refused. Then a probe from the same address.
        async Task<HttpResponseMessage> HoldTwoThenProbeAsync()
        {
            for (int i = 0; i < 2; i++)
            {
                if (i == held.Count)
                {
                    held.Add(await HoldAsync());
                    continue;
                }

                (Socket socket, int sent) = held[i];
                if (socket.Poll(0, SelectMode.SelectRead))
                {
                    socket.Dispose();
                    held[i] = await HoldAsync();
                    continue;
                }

                int next = Math.Min(Chunk, body.Length - 1 - sent); // the last byte waits for the end
                await socket.SendAsync(body.AsMemory(sent, next));
                held[i] = (socket, sent + next);
            }

            return await IngestAsync(http, Events(1, 10));
        }

        try
        {
            // Once both are in their handler, the third from the same address is refused.
            using HttpResponseMessage refused = await Eventually.UntilAsync(HoldTwoThenProbeAsync,
                r => r.StatusCode == HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(30), "a third concurrent /ingest to get 429",
                TimeSpan.FromMilliseconds(200));
            Assert.Equal(1, RetryAfterSeconds(refused));
            Assert.Contains("in flight", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // The held requests finish normally and free their slots.
            foreach ((Socket socket, int sent) in held)
            {
                await socket.SendAsync(body.AsMemory(sent));
                byte[] answer = new byte[4096];
                int read = await socket.ReceiveAsync(answer);
                Assert.StartsWith("HTTP/1.1 202", Encoding.ASCII.GetString(answer, 0, read), StringComparison.Ordinal);
            }

            using HttpResponseMessage after = await IngestAsync(http, Events(1, 10));
            Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
        }
        finally
        {
            foreach ((Socket socket, _) in held)
            {
                socket.Dispose();
            }
        }
    }
}
