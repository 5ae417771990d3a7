using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using FastIngest.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace FastIngest.IntegrationTests.Pixel;

[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed partial class PixelTests(PrivateClickHouse clickHouse, ITestOutputHelper output)
{
    private static readonly byte[] s_gif = Convert.FromBase64String("R0lGODlhAQABAIABAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICTAEAOw==");

    [Theory]
    [InlineData(Door.Middleware)]
    [InlineData(Door.Connection)]
    public async Task ThePixelIsATransparentGifThatNoCacheKeepsAndHeadHasNoBody(Door door)
    {
        string db = UniqueName.For("pixel");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        using var http = new HttpClient { BaseAddress = At(server, door) };

        using HttpResponseMessage get = await http.GetAsync(new Uri("/p/acme/home.gif", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("image/gif", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(43, get.Content.Headers.ContentLength);
        Assert.Equal("no-store, no-cache, must-revalidate, max-age=0", get.Headers.NonValidated["Cache-Control"].ToString());
        Assert.False(get.Headers.Contains("Set-Cookie"));
        Assert.Equal(s_gif, await get.Content.ReadAsByteArrayAsync());

        using HttpResponseMessage head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("/p/acme/home.gif", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(43, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using HttpResponseMessage post = await http.PostAsync(new Uri("/p/acme/home.gif", UriKind.Relative), new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);

        using HttpResponseMessage robots = await http.GetAsync(new Uri("/robots.txt", UriKind.Relative));
        Assert.Equal("User-agent: *\nDisallow: /\n", await robots.Content.ReadAsStringAsync());

        // On the HTTP port "/" is the dashboard (issue 17); the pixel's own port answers nothing but the pixel.
        using HttpResponseMessage root = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(door == Door.Connection ? HttpStatusCode.NotFound : HttpStatusCode.OK, root.StatusCode);
        foreach (string other in new[] { "/p/acme.gif", "/p/acme/home.png", "/anything" })
        {
            using HttpResponseMessage missing = await http.GetAsync(new Uri(other, UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("acme\thome\t2", (await clickHouse.QueryAsync($"SELECT tenant, key, sum(hits) FROM {db}.pixel_1m GROUP BY tenant, key FORMAT TSV")).Trim());
    }

    [Theory]
    [InlineData(Door.Middleware)]
    [InlineData(Door.Connection)]
    public async Task HitsAndUniqueVisitorsAddUpAndDoNotTrackCountsTheHitButNotTheVisitor(Door door)
    {
        string db = UniqueName.For("pixel");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        using var http = new HttpClient { BaseAddress = At(server, door) };

        // 300 hits from 40 agents (everyone is 127.0.0.1 here, so the agent tells visitors apart):
        // key i%3; agents 0-29 plain, 30-39 send DNT or Sec-GPC.
        var expectedVisitors = new Dictionary<string, HashSet<int>>();
        for (int i = 0; i < 300; i++)
        {
            int agent = i % 40;
            string key = "k" + (i % 3);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/p/acme/{key}.gif", UriKind.Relative));
            request.Headers.TryAddWithoutValidation("User-Agent", $"Agent/{agent} (X11; Linux)");
            if (agent >= 30)
            {
                request.Headers.TryAddWithoutValidation(agent % 2 == 0 ? "DNT" : "Sec-GPC", "1");
            }
            else
            {
                (expectedVisitors.TryGetValue(key, out HashSet<int>? set) ? set : expectedVisitors[key] = []).Add(agent);
            }

            using HttpResponseMessage response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        output.WriteLine(server.Output);

        Assert.Equal(
            "k0\t100\nk1\t100\nk2\t100",
            (await clickHouse.QueryAsync($"SELECT key, sum(hits) FROM {db}.pixel_1m WHERE tenant = 'acme' GROUP BY key ORDER BY key FORMAT TSV")).Trim());
        string today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal(
            string.Join("\n", expectedVisitors.OrderBy(p => p.Key).Select(p => $"{today}\t{p.Key}\t{p.Value.Count}")),
            (await clickHouse.QueryAsync($"SELECT day, key, uniqMerge(visitors) FROM {db}.visitors_1d WHERE tenant = 'acme' GROUP BY day, key ORDER BY key FORMAT TSV")).Trim());
        Assert.Equal(
            $"{today}\t30",
            (await clickHouse.QueryAsync($"SELECT day, uniqMerge(visitors) FROM {db}.visitors_1d WHERE tenant = 'acme' GROUP BY day FORMAT TSV")).Trim());
    }

    [Theory]
    [InlineData(Door.Middleware)]
    [InlineData(Door.Connection)]
    public async Task BadNamesAndTenantsOffTheAllowListAreCountedAsErrorsNeverAsTenants(Door door)
    {
        string db = UniqueName.For("pixel");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db, "--FastIngest:Pixel:AllowedTenants:0=acme", "--FastIngest:Pixel:AllowedTenants:1=beta");
        using var http = new HttpClient { BaseAddress = At(server, door) };
        string[] paths = ["/p/acme/home.gif", "/p/beta/home.gif", "/p/stranger/home.gif", "/p/acme/" + new string('k', 65) + ".gif", "/p/ac%20me/home.gif", "/p/acme/h%C3%A9.gif"];
        foreach (string path in paths)
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(path.Contains("stranger", StringComparison.Ordinal) || path.Contains('%', StringComparison.Ordinal) || path.Contains("kkk", StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("acme\t1\nbeta\t1", (await clickHouse.QueryAsync($"SELECT tenant, sum(hits) FROM {db}.pixel_1m GROUP BY tenant ORDER BY tenant FORMAT TSV")).Trim());
        Assert.Equal(
            "http\t\tinvalid_key\t2\nhttp\t\tinvalid_tenant\t1\nhttp\t\tunknown_tenant\t1",
            (await clickHouse.QueryAsync($"SELECT source, tenant, reason, sum(count) FROM {db}.ingest_errors GROUP BY source, tenant, reason ORDER BY reason FORMAT TSV")).Trim());
        Assert.Contains("/p/stranger/home.gif", await clickHouse.QueryAsync($"SELECT sample FROM {db}.ingest_errors WHERE reason = 'unknown_tenant' FORMAT TSV"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Door.Middleware)]
    [InlineData(Door.Connection)]
    public async Task WrkForSecondsThenSigtermLeavesEveryCompletedRequestCounted(Door door)
    {
        string db = UniqueName.For("pixel");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        const int Connections = 16;
        var psi = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-t2", $"-c{Connections}", "-d3s", new Uri(At(server, door), "/p/acme/wrk.gif").ToString() })
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
        long hits = long.Parse(await clickHouse.QueryAsync($"SELECT sum(hits) FROM {db}.pixel_1m WHERE tenant = 'acme' AND key = 'wrk' FORMAT TSV"), CultureInfo.InvariantCulture);
        // wrk does not count the responses still in flight when its time is up: at most one per connection.
        Assert.InRange(hits, requests, requests + Connections);
        Assert.True(requests > 1000, $"wrk completed only {requests} requests");
    }

    /// <summary>The pixel on the API port (Kestrel's HTTP stack) or on its own port (PixelConnectionHandler).</summary>
    public enum Door
    {
        Middleware,
        Connection,
    }

    private static Uri At(ServerProcess server, Door door) => door == Door.Connection ? server.PixelUri : server.HttpUri;

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsLine();
}
