using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Pixel;

/// <summary>
/// What only the pixel's own port does (PixelConnectionHandler): pipelining, HTTP/1.0 and
/// <c>Connection: close</c>, the head limits, and X-Forwarded-For from a known proxy, over raw sockets
/// (a client's own X-Forwarded-For is ClientAddresses' unit tests' concern).
/// The behaviour both doors share is in <see cref="PixelTests"/>, run against each.
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed partial class PixelConnectionTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    [Fact]
    public async Task PipelinedRequestsInOneWriteAreAllAnsweredInOrderAndCountedExactly()
    {
        string db = UniqueName.For("pixelpipe");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        const int Requests = 500;
        var sent = new StringBuilder();
        var expected = new List<(int Status, bool Body)>();
        for (int i = 0; i < Requests; i++)
        {
            // Every 10th a HEAD (counted, no body), every 25th a page that is not the pixel (404, not counted).
            bool head = i % 10 == 3;
            bool other = i % 25 == 7;
            sent.Append(CultureInfo.InvariantCulture, $"{(head ? "HEAD" : "GET")} {(other ? "/p/x.gif" : $"/p/acme/k{i % 4}.gif?n={i}")} HTTP/1.1\r\nHost: x\r\nUser-Agent: Agent/{i % 7}\r\n\r\n");
            expected.Add((other ? 404 : 200, !head && !other));
        }

        using Socket socket = await ConnectAsync(server);
        await socket.SendAsync(Encoding.ASCII.GetBytes(sent.ToString()));
        List<Response> responses = await ReadResponsesAsync(socket, expected.Select(e => e.Body).ToList());
        Assert.Equal(expected.Select(e => e.Status), responses.Select(r => r.Status));
        Assert.All(responses.Where(r => r.Status == 200), r => Assert.Contains("Content-Type: image/gif", r.Head, StringComparison.Ordinal));

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        int counted = expected.Count(e => e.Status == 200);
        Assert.Equal(counted.ToString(CultureInfo.InvariantCulture), (await clickHouse.QueryAsync($"SELECT sum(hits) FROM {db}.pixel_1m WHERE tenant = 'acme' FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task ConnectionCloseHttp10AndTheHeadLimitsCloseTheConnectionAfterTheirAnswer()
    {
        string db = UniqueName.For("pixelconn");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Pixel:MaxRequestHeaders=8");
        (string Request, int Status, bool KeepAlive)[] cases =
        [
            ("GET /p/acme/a.gif HTTP/1.1\r\nHost: x\r\n\r\n", 200, true),
            ("GET /p/acme/a.gif HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200, false),
            ("GET /p/acme/a.gif HTTP/1.0\r\n\r\n", 200, false),
            ("GET /p/acme/a.gif HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200, true),
            ("GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n", 200, true),
            ("DELETE /p/acme/a.gif HTTP/1.1\r\nHost: x\r\n\r\n", 405, true),
            ("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", 404, true),
            ("GET /p/acme/a.gif HTTP/1.1\r\n\r\n", 400, false),
            ("BREW\r\n\r\n", 400, false),
            ("GET /p/acme/a.gif HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 8).Select(i => $"X-{i}: v\r\n")) + "\r\n", 431, false),
            ("GET /p/acme/a.gif HTTP/1.1\r\nHost: x\r\nCookie: " + new string('c', 9000), 431, false),
        ];
        foreach ((string request, int status, bool keepAlive) in cases)
        {
            using Socket socket = await ConnectAsync(server);
            await socket.SendAsync(Encoding.ASCII.GetBytes(request));
            Response response = (await ReadResponsesAsync(socket, [status == 200 && !request.StartsWith("HEAD", StringComparison.Ordinal)]))[0];
            Assert.Equal(status, response.Status);
            Assert.Contains("\r\nDate: ", response.Head, StringComparison.Ordinal);
            Assert.Equal(!keepAlive, response.Head.Contains("\r\nConnection: close", StringComparison.Ordinal));
            if (status == 405)
            {
                Assert.Contains("Allow: GET, HEAD", response.Head, StringComparison.Ordinal);
            }

            // Closed: the next receive sees the end; kept: the connection answers another request.
            if (keepAlive)
            {
                await socket.SendAsync("HEAD /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
                Assert.Equal(200, (await ReadResponsesAsync(socket, [false]))[0].Status);
            }
            else
            {
                Assert.Equal(0, await socket.ReceiveAsync(new byte[16]).WaitAsync(TimeSpan.FromSeconds(10)));
            }
        }

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("4", (await clickHouse.QueryAsync($"SELECT sum(hits) FROM {db}.pixel_1m WHERE tenant = 'acme' FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task AKnownProxysForwardedForNamesTheVisitor()
    {
        string db = UniqueName.For("pixelxff");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Http:KnownProxies:0=127.0.0.1");
        using var socket = await ConnectAsync(server);
        // Same agent, 5 forwarded addresses: 5 visitors behind the trusted proxy (127.0.0.1 is the peer).
        var sent = new StringBuilder();
        for (int i = 0; i < 20; i++)
        {
            sent.Append(CultureInfo.InvariantCulture, $"GET /p/acme/xff.gif HTTP/1.1\r\nHost: x\r\nUser-Agent: Same/1\r\nX-Forwarded-For: 203.0.113.{i % 5}\r\n\r\n");
        }

        await socket.SendAsync(Encoding.ASCII.GetBytes(sent.ToString()));
        Assert.All(await ReadResponsesAsync(socket, Enumerable.Repeat(true, 20).ToList()), r => Assert.Equal(200, r.Status));
        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("20\t5", (await clickHouse.QueryAsync($"SELECT (SELECT sum(hits) FROM {db}.pixel_1m WHERE key = 'xff'), (SELECT uniqMerge(visitors) FROM {db}.visitors_1d WHERE key = 'xff') FORMAT TSV")).Trim());
    }

    [Fact]
    public async Task WrkPipeliningSixteenDeepLeavesEveryCompletedRequestCounted()
    {
        string db = UniqueName.For("pixelwrkp");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        const int Connections = 8, Depth = 16;
        using var script = new TempFolder("wrk");
        string lua = Path.Combine(script.Path, "pipeline.lua");
        await File.WriteAllTextAsync(lua, $"init = function(args)\n  local r = {{}}\n  for i = 1, {Depth} do r[i] = wrk.format(nil, \"/p/acme/wrkp.gif\") end\n  req = table.concat(r)\nend\nrequest = function() return req end\n");
        var psi = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-t2", $"-c{Connections}", "-d3s", "-s", lua, server.PixelUri.ToString() })
        {
            psi.ArgumentList.Add(arg);
        }

        using Process wrk = Process.Start(psi) ?? throw new InvalidOperationException("wrk did not start");
        string report = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        output.WriteLine(report);
        Match completed = RequestsLine().Match(report);
        Assert.True(completed.Success, report);
        long requests = long.Parse(completed.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.DoesNotContain("Non-2xx", report, StringComparison.Ordinal);

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(60)));
        long hits = long.Parse(await clickHouse.QueryAsync($"SELECT sum(hits) FROM {db}.pixel_1m WHERE tenant = 'acme' AND key = 'wrkp' FORMAT TSV"), CultureInfo.InvariantCulture);
        // In flight when wrk's time is up: at most one pipeline per connection.
        Assert.InRange(hits, requests, requests + (Connections * Depth));
        Assert.True(requests > 1000, $"wrk completed only {requests} requests");
    }

    private static async Task<Socket> ConnectAsync(ServerProcess server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, server.PixelPort);
        return socket;
    }

    /// <summary>Reads one response per entry of <paramref name="bodies"/> (whether it has its Content-Length of body: not for HEAD).</summary>
    private static async Task<List<Response>> ReadResponsesAsync(Socket socket, List<bool> bodies)
    {
        var responses = new List<Response>();
        var received = new List<byte>();
        byte[] buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int at = 0;
        while (responses.Count < bodies.Count)
        {
            byte[] all = [.. received];
            int end = all.AsSpan(at).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                string head = Encoding.ASCII.GetString(all, at, end);
                Match length = ContentLength().Match(head);
                int body = bodies[responses.Count] && length.Success ? int.Parse(length.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
                if (all.Length >= at + end + 4 + body)
                {
                    responses.Add(new Response(int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture), head));
                    at += end + 4 + body;
                    continue;
                }
            }

            int read = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.True(read > 0, $"the connection closed after {responses.Count} of {bodies.Count} responses");
            received.AddRange(buffer.AsSpan(0, read));
        }

        return responses;
    }

    private sealed record Response(int Status, string Head);

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Content-Length: (\d+)")]
    private static partial Regex ContentLength();
}
