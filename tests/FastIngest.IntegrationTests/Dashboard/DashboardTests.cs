using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FastIngest.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace FastIngest.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's chromium through Playwright) against a real server process and
/// a private ClickHouse 18.16: what the page shows must be what ClickHouse holds, queried here on its own.
/// Set FASTINGEST_SCREENSHOT=docs/dashboard.png to write the screenshot the docs show (docs/dashboard.md).
/// </summary>
[Collection("ClickHouse")]
[Trait("Category", "Integration")]
public sealed class DashboardTests(PrivateClickHouse clickHouse, ChromiumBrowser chromium) : IClassFixture<ChromiumBrowser>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ThePageShowsWhatClickHouseHoldsAcrossRangesTenantsCsvAndLiveUpdates()
    {
        string db = UniqueName.For("dashboard");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        int shop = await KnownTraffic.SyslogAsync(server, "shop", 150, now, previousPeriodLines: 30);
        int blog = await KnownTraffic.SyslogAsync(server, "blog", 45, now);
        await KnownTraffic.RefusedLineAsync(server, "shop");
        await KnownTraffic.PixelAsync(server, "shop", "home", 4);
        await KnownTraffic.PixelAsync(server, "shop", "signup", 2);
        await KnownTraffic.EventsAsync(server, "shop", "page_view", "/pricing", 3);
        await KnownTraffic.EventsAsync(server, "shop", "signup", "/signup", 1);
        await KnownTraffic.EventsAsync(server, "blog", "click", "/posts/1", 2);
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, shop, s_timeout, "shop");
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, blog, s_timeout, "blog");
        await WaitForAsync($"SELECT sum(hits) FROM {db}.pixel_1m WHERE tenant = 'shop'", 6);
        await WaitForAsync($"SELECT sum(events) FROM {db}.events_1m", 6);
        await WaitForAsync($"SELECT count() FROM {db}.ingest_errors WHERE tenant = 'shop'", 1);
        // The server keeps the tenant list in memory, refreshed when 10 s old (TenantDirectory): wait for it to know both.
        await WaitForTenantsAsync(server, null, ["blog", "shop"]);

        await using IBrowserContext context = await chromium.NewContextAsync();
        IPage tab = await context.NewPageAsync();
        var requested = new List<string>();
        tab.Request += (_, request) => requested.Add(request.Url);
        var page = new DashboardPage(tab);

        // No tenant in the URL: the "All tenants" overview, a card per tenant with ClickHouse's numbers and a chart.
        await page.OpenAsync(server.HttpUri, "/?range=24h&tz=UTC");
        Assert.True(await tab.IsVisibleAsync("#overview"));
        Assert.False(await tab.IsVisibleAsync("#panels"));
        Assert.Equal(["blog", "shop"], await tab.EvalOnSelectorAllAsync<string[]>(".tenant-card", "cs => cs.map(c => c.dataset.tenant)"));
        (DateTimeOffset overviewFrom, DateTimeOffset overviewTo) = await page.WindowAsync();
        foreach (string tenant in new[] { "blog", "shop" })
        {
            long truth = await new ClickHouseTruth(clickHouse, db, tenant, overviewFrom, overviewTo).RequestsAsync();
            Assert.Equal(Text(truth), await page.CardAsync(tenant, "requests"));
            Assert.Equal(1, await tab.Locator($".tenant-card[data-tenant={tenant}] .spark canvas").CountAsync());
        }

        if (Environment.GetEnvironmentVariable("FASTINGEST_SCREENSHOT") is { Length: > 0 } overviewShot)
        {
            string path = Path.Combine(RepoPaths.Root, Path.ChangeExtension(overviewShot, null) + "-overview.png");
            await tab.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        }

        // Live: more traffic for blog, its card follows without a reload.
        int blogMore = await KnownTraffic.SyslogAsync(server, "blog", 7, DateTimeOffset.UtcNow, spreadMinutes: 5);
        blog += blogMore;
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, blog, s_timeout, "blog");
        await Eventually.TrueAsync(
            async () =>
            {
                (DateTimeOffset f, DateTimeOffset t) = await page.WindowAsync();
                long truth = await new ClickHouseTruth(clickHouse, db, "blog", f, t).RequestsAsync();
                return await page.CardAsync("blog", "requests") == Text(truth) && truth == blog;
            },
            s_timeout,
            "the overview's blog card to show the new requests");

        // A card's name opens that tenant's full view, keeping range and zone.
        int overviewLoads = await page.LoadsAsync();
        await tab.ClickAsync(".tenant-card[data-tenant=shop] h3 a");
        await page.WaitForLoadAsync(overviewLoads);
        Assert.Contains("tenant=shop", tab.Url, StringComparison.Ordinal);
        Assert.Contains("range=24h", tab.Url, StringComparison.Ordinal);
        Assert.True(await tab.IsVisibleAsync("#panels"));
        Assert.False(await tab.IsVisibleAsync("#overview"));

        await page.OpenAsync(server.HttpUri, "/?tenant=shop&range=24h&tz=UTC&live=off");
        await AssertPanelsAsync(page, db, "shop");
        Assert.Equal("hour", await tab.GetAttributeAsync("[data-panel=traffic]", "data-grain"));
        Assert.True(await tab.IsVisibleAsync("#open-banner"), "open mode (no tenant keys) shows its banner");
        if (Environment.GetEnvironmentVariable("FASTINGEST_SCREENSHOT") is { Length: > 0 } screenshot)
        {
            await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Root, screenshot), FullPage = true });
        }

        // Another range: the URL says so, the traffic comes in hours, and the previous period is inside it now.
        int loads = await page.LoadsAsync();
        await tab.GetByLabel("7 d", new PageGetByLabelOptions { Exact = true }).CheckAsync();
        await page.WaitForLoadAsync(loads);
        Assert.Contains("range=7d", tab.Url, StringComparison.Ordinal);
        await AssertPanelsAsync(page, db, "shop");

        // Another tenant, picked from the list the API gives.
        loads = await page.LoadsAsync();
        await tab.SelectOptionAsync("#tenant", "blog");
        await page.WaitForLoadAsync(loads);
        Assert.Contains("tenant=blog", tab.Url, StringComparison.Ordinal);
        Assert.Equal(["", "blog", "shop"], await tab.EvalOnSelectorAllAsync<string[]>("#tenant option", "os => os.map(o => o.value)"));
        await AssertPanelsAsync(page, db, "blog");

        // Back: the previous view (shop, 7 d) again, from the URL alone.
        loads = await page.LoadsAsync();
        await tab.GoBackAsync();
        await page.WaitForLoadAsync(loads);
        Assert.Contains("tenant=shop", tab.Url, StringComparison.Ordinal);
        await AssertPanelsAsync(page, db, "shop");

        // The filter box asks the API for names with that prefix.
        await tab.FillAsync("#tenant-filter", "bl");
        await tab.WaitForSelectorAsync("#tenant-note:text-is('1 tenant(s)')");
        await tab.FillAsync("#tenant-filter", "");
        await tab.WaitForSelectorAsync("#tenant-note:text-is('2 tenant(s)')");

        // A custom range in another zone, from a link: whole days there, the panels still ClickHouse's.
        string today = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string yesterday = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await page.OpenAsync(server.HttpUri, $"/?tenant=shop&range=custom&from={yesterday}&to={today}&tz=America%2FNew_York&live=off");
        Assert.Equal(yesterday, await tab.InputValueAsync("#from"));
        Assert.Equal("America/New_York", await tab.InputValueAsync("#tz"));
        (DateTimeOffset customFrom, DateTimeOffset customTo) = await page.WindowAsync();
        TimeZoneInfo newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        Assert.Equal(yesterday + "T00:00:00", TimeZoneInfo.ConvertTime(customFrom, newYork).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.Zero, TimeZoneInfo.ConvertTime(customTo, newYork).TimeOfDay);
        await AssertPanelsAsync(page, db, "shop");
        // Back across a full navigation: the earlier document again (a fresh load, or the browser's cached page).
        await tab.GoBackAsync();
        await page.WaitForLoadAsync(0);
        Assert.Contains("range=7d", tab.Url, StringComparison.Ordinal);

        // A panel's CSV: the API's own, downloaded with the same window.
        IDownload download = await tab.RunAndWaitForDownloadAsync(() => tab.ClickAsync("[data-csv=status]"));
        Assert.Matches(@"^shop-status-\d{12}-\d{12}\.csv$", download.SuggestedFilename);
        string csv = await File.ReadAllTextAsync(await download.PathAsync());
        (DateTimeOffset from, DateTimeOffset to) = await page.WindowAsync();
        List<string> statusRows = await new ClickHouseTruth(clickHouse, db, "shop", from, to).StatusAsync();
        Assert.Equal(["class,requests", .. statusRows.Select(r => r.Replace('\t', ','))], csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));

        // Live: more traffic arrives, the page shows it without a reload.
        string before = await tab.TextContentAsync("#updated") ?? "";
        await tab.CheckAsync("#live");
        int more = await KnownTraffic.SyslogAsync(server, "shop", 15, DateTimeOffset.UtcNow, spreadMinutes: 5);
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, shop + more, s_timeout, "shop");
        await Eventually.TrueAsync(
            async () =>
            {
                (DateTimeOffset f, DateTimeOffset t) = await page.WindowAsync();
                long truth = await new ClickHouseTruth(clickHouse, db, "shop", f, t).RequestsAsync();
                return (await page.HeadlineAsync("requests")).Value == Text(truth) && truth == shop + more;
            },
            s_timeout,
            "the live page to show the new requests");
        Assert.NotEqual(before, await tab.TextContentAsync("#updated"));
        await AssertPanelsAsync(page, db, "shop");

        // A tenant that appears while the page is open joins the picker without a reload.
        await KnownTraffic.SyslogAsync(server, "news", 3, DateTimeOffset.UtcNow, spreadMinutes: 5);
        await tab.WaitForSelectorAsync("#tenant option[value=news]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = 60_000 });

        // Nothing came from anywhere but this server (the CSP says so too; this is what the browser did).
        string origin = server.HttpUri.ToString().TrimEnd('/');
        Assert.All(requested, url => Assert.True(url.StartsWith(origin + "/", StringComparison.Ordinal) || url.StartsWith("blob:" + origin + "/", StringComparison.Ordinal), url));
    }

    [Fact]
    public async Task ATenantKeySeesOnlyItsOwnTenantOnThePageAndInTheApi()
    {
        string db = UniqueName.For("dashboard");
        await using ServerProcess server = await ServerProcess.StartAsync(clickHouse, db,
            "--FastIngest:Tenants:shop:ApiKeys:0=shop-key-1", "--FastIngest:Tenants:blog:ApiKeys:0=blog-key-1");
        DateTimeOffset now = DateTimeOffset.UtcNow;
        int shop = await KnownTraffic.SyslogAsync(server, "shop", 30, now, spreadMinutes: 120);
        int blog = await KnownTraffic.SyslogAsync(server, "blog", 15, now, spreadMinutes: 120);
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, shop, s_timeout, "shop");
        await TrafficTotals.WaitForRequestsAsync(clickHouse, db, blog, s_timeout, "blog");

        // The page itself needs no key, and may load nothing but this server's files.
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        using (HttpResponseMessage root = await http.GetAsync(new Uri("/", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, root.StatusCode);
            Assert.StartsWith("default-src 'self';", root.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/dashboard/lib/uPlot.iife.min.js", UriKind.Relative));
            using HttpResponseMessage script = await http.SendAsync(again);
            Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
            using var revalidate = new HttpRequestMessage(HttpMethod.Get, new Uri("/dashboard/lib/uPlot.iife.min.js", UriKind.Relative));
            revalidate.Headers.IfNoneMatch.Add(script.Headers.ETag!);
            Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(revalidate)).StatusCode);
        }

        // The API: no key 401, shop's key sees shop only, blog is not found for it (not even confirmed to exist).
        string window = "?from=" + Uri.EscapeDataString(now.AddDays(-1).ToString("O", CultureInfo.InvariantCulture)) +
            "&to=" + Uri.EscapeDataString(now.AddMinutes(1).ToString("O", CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "/api/v1/me", null)).Status);
        Assert.Equal("""{"access":"tenant","tenant":"shop"}""", (await GetAsync(http, "/api/v1/me", "shop-key-1")).Body);
        await WaitForTenantsAsync(server, "blog-key-1", ["blog"]);
        Assert.Equal(["shop"], await WaitForTenantsAsync(server, "shop-key-1", ["shop"]));

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(http, "/api/v1/tenants/blog/panels/summary" + window, "shop-key-1")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(http, "/api/v1/tenants/blog/panels/status" + window + "&format=csv", "shop-key-1")).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/v1/tenants/blog/panels/summary" + window, "blog-key-1")).Status);

        // The page: asks for a key, then with shop's key shows nothing of blog, and shop's numbers.
        await using IBrowserContext context = await chromium.NewContextAsync();
        IPage tab = await context.NewPageAsync();
        var page = new DashboardPage(tab);
        await tab.GotoAsync(new Uri(server.HttpUri, "/?tenant=blog&range=24h&tz=UTC&live=off").ToString());
        await tab.WaitForSelectorAsync("#key-form", new PageWaitForSelectorOptions { State = WaitForSelectorState.Visible });
        Assert.False(await tab.IsVisibleAsync("#open-banner"));
        await tab.FillAsync("#key", "shop-key-1");
        await tab.ClickAsync("#key-form button[type=submit]");
        await tab.WaitForSelectorAsync("#message:has-text('No such tenant')", new PageWaitForSelectorOptions { Timeout = 30_000 });
        Assert.Equal(0, await tab.Locator("[data-panel=summary] .card").CountAsync());
        Assert.Equal(0, await page.LoadsAsync());
        Assert.DoesNotContain("blog", await tab.EvalOnSelectorAllAsync<string[]>("#tenant option", "os => os.filter(o => !o.selected).map(o => o.value)"));

        await tab.SelectOptionAsync("#tenant", "shop");
        await page.WaitForLoadAsync(0);
        Assert.Equal("shop-key-1", await tab.EvaluateAsync<string>("() => sessionStorage.getItem('fastingest.key')"));
        await AssertPanelsAsync(page, db, "shop");

        // Back to blog's link: refused again, and shop's numbers don't stay up under blog's name.
        await tab.GoBackAsync();
        await tab.WaitForSelectorAsync("#message:has-text('No such tenant')", new PageWaitForSelectorOptions { Timeout = 30_000 });
        Assert.Contains("tenant=blog", tab.Url, StringComparison.Ordinal);
        Assert.False(await tab.IsVisibleAsync("#panels"));
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string path, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until <c>/api/v1/tenants</c> (with <paramref name="key"/>) lists at least <paramref name="expected"/>; returns the list.</summary>
    private static async Task<List<string>> WaitForTenantsAsync(ServerProcess server, string? key, string[] expected)
    {
        using var http = new HttpClient { BaseAddress = server.HttpUri };
        return await Eventually.UntilAsync(
            async () =>
            {
                using JsonDocument body = JsonDocument.Parse((await GetAsync(http, "/api/v1/tenants", key)).Body);
                return body.RootElement.GetProperty("tenants").EnumerateArray().Select(t => t.GetString()!).ToList();
            },
            names => expected.All(names.Contains),
            TimeSpan.FromSeconds(60),
            "/api/v1/tenants to list " + string.Join(", ", expected));
    }

    private async Task WaitForAsync(string sql, long atLeast) =>
        await Eventually.UntilAsync(async () => long.Parse((await clickHouse.QueryAsync(sql + " FORMAT TSV")).Trim(), CultureInfo.InvariantCulture),
            n => n >= atLeast, s_timeout, sql + " to reach " + atLeast);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Every panel the page shows for <paramref name="tenant"/> against ClickHouse over the page's own window.</summary>
    private async Task AssertPanelsAsync(DashboardPage page, string db, string tenant)
    {
        (DateTimeOffset from, DateTimeOffset to) = await page.WindowAsync();
        var truth = new ClickHouseTruth(clickHouse, db, tenant, from, to);

        long requests = await truth.RequestsAsync();
        (string value, string text, string change) = await page.HeadlineAsync("requests");
        Assert.Equal(Text(requests), value);
        // The browser is en-US; the invariant culture groups thousands the same way (this process has no ICU).
        Assert.Equal(requests.ToString("N0", CultureInfo.InvariantCulture), text);
        long previous = await truth.Previous().RequestsAsync();
        if (previous == 0)
        {
            Assert.Equal("", change);
        }
        else
        {
            Assert.Equal((double)requests / previous - 1, double.Parse(change, CultureInfo.InvariantCulture), 9);
        }

        Assert.Equal(Text(await truth.BytesSentAsync()), (await page.HeadlineAsync("bytes_sent")).Value);
        Assert.Equal(Text(await truth.PixelHitsAsync()), (await page.HeadlineAsync("pixel_hits")).Value);
        Assert.Equal(Text(await truth.EventsAsync()), (await page.HeadlineAsync("events")).Value);

        Assert.Equal(await truth.StatusAsync(), await page.RowsAsync("status", 2));
        Assert.Equal(await truth.CacheAsync(), await page.RowsAsync("cache", 2));
        Assert.Equal(await truth.TopFilesAsync("requests"), await page.RowsAsync("top_files_downloads", 3));
        Assert.Equal(await truth.TopFilesAsync("body_bytes_sent"), await page.RowsAsync("top_files_bytes", 3));
        Assert.Equal(Sorted(await truth.PixelKeysAsync()), Sorted(await page.RowsAsync("pixel", 2)));
        Assert.Equal(Sorted(await truth.EventTypesAsync()), Sorted(await page.RowsAsync("events", 2)));
        Assert.Equal(Sorted(await truth.EventPathsAsync()), Sorted(await page.RowsAsync("event_paths", 2)));
        Assert.Equal(Sorted(await truth.RefusalsAsync()), Sorted(await page.RowsAsync("refusals", 2)));
        List<string> sources = await page.RowsAsync("sources", 4);
        Assert.Equal(await truth.SourcesAsync(), sources);
        Assert.Contains(sources, s => s.StartsWith("search\tgoogle.com\t", StringComparison.Ordinal));
        // Devices (issue 18): people's hits and visitors per device class, as agents_1d holds them.
        Assert.Equal(await truth.DevicesAsync(), await page.RowsAsync("devices", 3));

        // The chart's table: every bucket's requests add up to the headline, shown with grouping.
        List<string> traffic = await page.RowsAsync("traffic", 3);
        Assert.NotEmpty(traffic);
        Assert.Equal(requests, traffic.Sum(r => long.Parse(r.Split('\t')[1], CultureInfo.InvariantCulture)));

        List<string> visitors = await page.RowsAsync("visitors", 2);
        Assert.NotEmpty(visitors);
        foreach (string row in visitors)
        {
            string[] cells = row.Split('\t');
            Assert.Equal(Text(await truth.VisitorsOnAsync(cells[0][..10])), cells[1]);
        }
    }

    private static List<string> Sorted(List<string> rows) => [.. rows.Order(StringComparer.Ordinal)];
}
