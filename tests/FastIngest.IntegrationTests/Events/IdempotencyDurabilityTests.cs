using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Events;

/// <summary>
/// Issue 14, item 2, against the real server: an <c>Idempotency-Key</c> is answered as a replay only when
/// its events are durable, and a request whose commit failed can be retried with the same key.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class IdempotencyDurabilityTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    // A flush interval far longer than the test: only a flush the request itself forces can make the events
    // durable before the kill (the old code answered 202 with them in memory, and stored the key).
    private const string SlowFlush = "--FastIngest:Aggregation:FlushInterval=00:10:00";

    private static readonly string s_batch = string.Join("\n", Enumerable.Range(0, 500).Select(i => $$"""{"site_id":"idem","event_type":"page_view","path":"/{{i % 7}}","user_id":"u{{i % 50}}"}""")) + "\n";

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/ingest", UriKind.Relative))
        {
            Content = new StringContent(s_batch, Encoding.UTF8, "application/x-ndjson"),
        };
        request.Headers.Add("Idempotency-Key", key);
        return await http.SendAsync(request);
    }

    private async Task<long> EventsAsync(string db) =>
        long.Parse("0" + (await clickHouse.QueryAsync($"SELECT sum(events) FROM {db}.events_1m WHERE tenant = 'idem' FORMAT TSV")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task AKillNineRightAfterThe202NeverYieldsAReplayWhoseEventsAreMissing()
    {
        string db = UniqueName.For("idemkill");
        using var stateFolder = new TempFolder("idemkill");
        string state = stateFolder.Path;
        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:StateDirectory={state}", SlowFlush))
        {
            using var http = new HttpClient { BaseAddress = server.HttpUri };
            using HttpResponseMessage first = await PostAsync(http, "batch-kill");
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            await server.KillAsync();
        }

        await using (ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, $"--FastIngest:StateDirectory={state}", SlowFlush))
        {
            using var http = new HttpClient { BaseAddress = server.HttpUri };
            using HttpResponseMessage again = await PostAsync(http, "batch-kill");
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            if (again.Headers.Contains("Idempotent-Replayed"))
            {
                // A true replay: the first attempt's events were durable before its 202, so they are in
                // ClickHouse now (directly, or from the spool this start replays).
                await Eventually.TrueAsync(async () => await EventsAsync(db) >= 500, TimeSpan.FromSeconds(60), "the replayed batch's 500 events to be in ClickHouse");
            }

            Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        }

        // Either way, counted exactly once.
        Assert.Equal(500, await EventsAsync(db));
    }

    [Fact]
    public async Task ConcurrentKeyedRequestsShareForcedFlushRounds()
    {
        const int Requests = 200;
        string db = UniqueName.For("idemload");
        // All 200 come from one address at once: in-flight and byte limits off, this measures round sharing.
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, SlowFlush, "--FastIngest:Events:IngestConcurrency=0", "--FastIngest:Events:RequestsPerSecond=0");
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        double roundsBefore = await server.MetricAsync("fastingest_flush_latency_seconds_count");
        var clock = Stopwatch.StartNew();
        HttpResponseMessage[] answers = await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => PostAsync(http, "load-" + i)));
        clock.Stop();
        double rounds = await server.MetricAsync("fastingest_flush_latency_seconds_count") - roundsBefore;
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        foreach (HttpResponseMessage answer in answers)
        {
            answer.Dispose();
        }

        output.WriteLine($"{Requests} concurrent keyed requests of 500 events: {clock.ElapsedMilliseconds} ms, {rounds} flush rounds");
        // Without coalescing every request would force a round of its own (the flush interval is 10 minutes).
        Assert.True(rounds < Requests, $"{rounds} rounds for {Requests} requests");
        // Every 202 was durable before it was sent: the events are in ClickHouse without a stop or a timed flush.
        Assert.Equal(Requests * 500L, await EventsAsync(db));
    }

    [Fact]
    public async Task ARequestCutOffMidBodyReleasesItsKeyAndTheRetryIsCountedOnce()
    {
        string db = UniqueName.For("idemcut");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        byte[] body = Encoding.UTF8.GetBytes(s_batch);

        // The client goes away with half of its body sent: the read fails, nothing is counted.
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, server.HttpPort);
            NetworkStream stream = client.GetStream();
            string head = $"POST /ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nIdempotency-Key: batch-cut\r\nContent-Length: {body.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
            await stream.FlushAsync();
            client.Client.LingerState = new LingerOption(true, 0);
        }

        using var http = new HttpClient { BaseAddress = server.HttpUri };
        // 409 only until the server has seen the connection go; then the retry is a new request, not a replay.
        HttpStatusCode status = await Eventually.UntilAsync(
            async () =>
            {
                using HttpResponseMessage retry = await PostAsync(http, "batch-cut");
                Assert.False(retry.Headers.Contains("Idempotent-Replayed"), "a cut-off request must never be replayed");
                return retry.StatusCode;
            },
            s => s != HttpStatusCode.Conflict, TimeSpan.FromSeconds(30), "the retry to be taken instead of answered 409");
        Assert.Equal(HttpStatusCode.Accepted, status);

        // Now the key is stored: the next retry is a replay and counts nothing.
        using HttpResponseMessage replayed = await PostAsync(http, "batch-cut");
        Assert.Equal("true", replayed.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(500, await EventsAsync(db));
    }

    [Fact]
    public async Task ARequestRefusedAsTooLargeCanBeRetriedWithTheSameKey()
    {
        string db = UniqueName.For("idem413");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Events:MaxBatchBytes=40000");
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        string tooLarge = s_batch + s_batch + s_batch;
        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/ingest", UriKind.Relative)) { Content = new StringContent(tooLarge, Encoding.UTF8, "application/x-ndjson") })
        {
            request.Headers.Add("Idempotency-Key", "batch-413");
            // No Content-Length, so the size is found out while reading, after the key was claimed.
            request.Headers.TransferEncodingChunked = true;
            using HttpResponseMessage refused = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        }

        using HttpResponseMessage accepted = await PostAsync(http, "batch-413");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.False(accepted.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(500, await EventsAsync(db));
    }
}
