using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

/// <summary>The referrer wiring of issue 18, item 1, through a shard: classification, bots, budgets, pixels.</summary>
public sealed class ReferrerAggregateTests
{
    public const string Browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    public const string Bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    private const long Second = 1_795_390_925;
    private const ushort Day = (ushort)(Second / 86_400);

    private static (IngestPipeline Pipeline, CollectingSink Sink) NewPipeline(ReferrerOptions? referrers = null)
    {
        var sink = new CollectingSink();
        var options = new AggregationOptions { Shards = 1 };
        return (new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance, referrers: referrers), sink);
    }

    private static ReferrerOptions Own(string tenant, params string[] hosts)
    {
        var options = new ReferrerOptions();
        options.OwnHosts[tenant] = [.. hosts];
        return options;
    }

    public static string Line(string referrer, string host = "shop.example", string agent = Browser, string address = "192.0.2.1", string uri = "/", bool dnt = false) =>
        new NginxLineBuilder().Msec(Second * 1000).Set("status", 200).Set("bytes_sent", 10).Set("uri", uri)
            .Set("host", host).Set("http_referer", referrer).Set("http_user_agent", agent).Set("remote_addr", address)
            .Set("http_dnt", dnt ? "1" : "").ToJson();

    private static IngestBatch Batch(IngestPipeline pipeline, params (string Tenant, string Line)[] messages)
    {
        IngestBatch batch = pipeline.IngestBatches.Rent();
        foreach ((string tenant, string line) in messages)
        {
            byte[] t = Encoding.UTF8.GetBytes(tenant);
            batch.Add(MessageKind.NginxJson, RejectReason.None, System.IO.Hashing.XxHash3.HashToUInt64(t), t, Encoding.UTF8.GetBytes(line), 1_795_391_000);
        }

        return batch;
    }

    /// <summary>"group host tagged visits=N visitors=M" per referrer, summed over rows (visitors: distinct non-zero hashes).</summary>
    private static List<string> Summary(CollectingSink sink, string tenant) =>
        [.. sink.Referrers.Where(r => Encoding.UTF8.GetString(r.Tenant) == tenant)
            .GroupBy(r => (r.Day, r.Group, Host: Encoding.UTF8.GetString(r.Host), Tagged: Encoding.UTF8.GetString(r.TaggedSource)))
            .Select(g => $"{Group(g.Key.Group)} {g.Key.Host} '{g.Key.Tagged}' visits={g.Sum(r => (long)r.Visits)} visitors={g.Where(r => r.Visitor != 0).Select(r => r.Visitor).Distinct().Count()}")
            .Order(StringComparer.Ordinal)];

    private static string Group(byte group) => group switch
    {
        0 => "direct",
        1 => "other",
        2 => "internal",
        3 => "search",
        4 => "social",
        5 => "email",
        _ => "?",
    };

    [Fact]
    public async Task EachLineCountsItsReferrersGroupHostAndVisitor()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(Own("shop", "shop-cdn.example"));
        Shard shard = pipeline.Shards[0];
        shard.Process(Batch(pipeline,
            ("shop", Line("https://www.google.com/search?q=shoes")),
            ("shop", Line("https://www.google.co.uk/", address: "192.0.2.2")),
            ("shop", Line("https://www.facebook.com/")),
            ("shop", Line("https://mail.google.com/mail/u/0/")),
            ("shop", Line("https://shop.example/cart")), // internal: the request's Host
            ("shop", Line("https://img.shop-cdn.example/x.png")), // internal: a configured own host's subdomain
            ("shop", Line("-")),
            ("shop", Line("", dnt: true)), // direct, and no visitor
            ("shop", Line("http://partner.example:8080/p?id=1")),
            ("shop", Line("https://www.google.com/", agent: Bot)), // bots don't count
            ("blog", Line("https://img.shop-cdn.example/", host: "blog.example")))); // not blog's own
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(
        [
            "direct  '' visits=2 visitors=1",
            "email mail.google.com '' visits=1 visitors=1",
            "internal img.shop-cdn.example '' visits=1 visitors=1",
            "internal shop.example '' visits=1 visitors=1",
            "other partner.example '' visits=1 visitors=1",
            "search google.co.uk '' visits=1 visitors=1",
            "search google.com '' visits=1 visitors=1",
            "social facebook.com '' visits=1 visitors=1",
        ], Summary(sink, "shop"));
        Assert.Equal(["other img.shop-cdn.example '' visits=1 visitors=1"], Summary(sink, "blog"));
        Assert.All(sink.Referrers, r => Assert.Equal(Day, r.Day));
        // The same visitor hashes visitors_1d counts.
        Assert.Subset(sink.Visitors.Select(v => v.Visitor).ToHashSet(), sink.Referrers.Where(r => r.Visitor != 0).Select(r => r.Visitor).ToHashSet());
    }

    [Fact]
    public async Task PastItsBudgetATenantsReferrersFoldIntoOtherOfTheSameGroupAndTotalsStayExact()
    {
        var options = new ReferrerOptions { MaxSourcesPerTenant = 2 };
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(options);
        Shard shard = pipeline.Shards[0];
        shard.Process(Batch(pipeline,
            ("flood", Line("https://a.example/")),
            ("flood", Line("https://www.google.com/")),
            ("flood", Line("https://b.example/")), // third name: folded, same group
            ("flood", Line("https://www.bing.com/")), // folded, search
            ("flood", Line("https://a.example/x")), // named before the budget ran out: still by name
            ("flood", Line("-")), // direct names nothing
            ("quiet", Line("https://c.example/"))));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(
        [
            "direct  '' visits=1 visitors=1",
            "other (other) '' visits=1 visitors=1",
            "other a.example '' visits=2 visitors=1",
            "search (other) '' visits=1 visitors=1",
            "search google.com '' visits=1 visitors=1",
        ], Summary(sink, "flood"));
        Assert.Equal(["other c.example '' visits=1 visitors=1"], Summary(sink, "quiet"));
        Assert.Equal(2, shard.ReferrersFolded);

        // The next interval starts with the budget whole.
        shard.Process(Batch(pipeline, ("flood", Line("https://b.example/"))));
        await shard.FlushAsync(CancellationToken.None);
        Assert.Contains(sink.Referrers, r => Encoding.UTF8.GetString(r.Host) == "b.example");
    }

    [Fact]
    public async Task AnAccessLogLinesQueryGivesItsTaggedSourceAndNothingElseOfIt()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(Own("shop", "shop.example"));
        Shard shard = pipeline.Shards[0];
        string landing = new NginxLineBuilder().Msec(Second * 1000).Set("status", 200).Set("uri", "/landing").Set("request_uri", "/landing?utm_source=Newsletter%20May&email=someone%40example.com")
            .Set("host", "shop.example").Set("http_referer", "https://mail.yahoo.com/d/folders/1").Set("http_user_agent", Browser).Set("remote_addr", "192.0.2.1").ToJson();
        string refOnly = new NginxLineBuilder().Msec(Second * 1000).Set("status", 200).Set("uri", "/").Set("request_uri", "/?ref=producthunt")
            .Set("host", "shop.example").Set("http_user_agent", Browser).Set("remote_addr", "192.0.2.2").ToJson();
        string botLanding = new NginxLineBuilder().Msec(Second * 1000).Set("status", 200).Set("uri", "/").Set("request_uri", "/?utm_source=spam")
            .Set("host", "shop.example").Set("http_referer", "https://spam.example/").Set("http_user_agent", Bot).Set("remote_addr", "192.0.2.3").ToJson();
        shard.Process(Batch(pipeline, ("shop", landing), ("shop", refOnly), ("shop", botLanding), ("shop", Line("https://shop.example/landing", uri: "/style.css"))));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(
        [
            "direct  'producthunt' visits=1 visitors=1",
            "email mail.yahoo.com 'newsletter may' visits=1 visitors=1",
            "internal shop.example '' visits=1 visitors=1",
        ], Summary(sink, "shop"));
        Assert.DoesNotContain(sink.Referrers, r => Encoding.UTF8.GetString(r.TaggedSource).Contains("example.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APixelHitCountsItsPageAsReferrerWithThePagesTaggedSource()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(Own("shop", "shop.example"));
        Shard shard = pipeline.Shards[0];
        IngestBatch batch = pipeline.IngestBatches.Rent();
        AddPixel(batch, "https://shop.example/landing?utm_source=Newsletter%20May&x=1", "pixel.fastingest.example", Browser);
        AddPixel(batch, "https://mail.yahoo.com/d/folders/1", "pixel.fastingest.example", Browser); // opened in webmail
        AddPixel(batch, "https://shop.example/", "pixel.fastingest.example", Bot);
        shard.Process(batch);
        // An NGINX-served pixel counts once, as its access-log line.
        shard.Process(Batch(pipeline, ("shop", Line("https://www.google.com/", uri: "/p/shop/home.gif"))));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(
        [
            "email mail.yahoo.com '' visits=1 visitors=1",
            "internal shop.example 'newsletter may' visits=1 visitors=1",
            "search google.com '' visits=1 visitors=1",
        ], Summary(sink, "shop"));
        Assert.Equal(4UL, (ulong)sink.Pixels.Sum(p => (long)p.Hits));
    }

    private static void AddPixel(IngestBatch batch, string referer, string host, string agent)
    {
        var message = new byte[PixelHit.MaxEncodedLength];
        int length = new PixelHit
        {
            TimestampMs = Second * 1000,
            CountVisitor = true,
            Key = "home"u8,
            Address = "192.0.2.9"u8,
            UserAgent = Encoding.UTF8.GetBytes(agent),
            Host = Encoding.UTF8.GetBytes(host),
            Referer = Encoding.UTF8.GetBytes(referer),
        }.Encode(message);
        batch.Add(MessageKind.PixelHit, RejectReason.None, System.IO.Hashing.XxHash3.HashToUInt64("shop"u8), "shop"u8, message.AsSpan(0, length), 1_795_391_000);
    }

    [Fact]
    public void CountingReferrersAllocatesNothingPerLineOnceWarm()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(Own("shop", "shop-cdn.example"));
        Shard shard = pipeline.Shards[0];
        IngestBatch batch = Batch(pipeline,
            ("shop", Line("https://www.google.com/search?q=shoes")),
            ("shop", Line("https://www.facebook.com/", address: "192.0.2.2")),
            ("shop", Line("https://img.shop-cdn.example/x.png")),
            ("shop", Line("-")),
            ("shop", Line("https://www.google.com/", agent: Bot)),
            ("blog", Line("https://partner.example/", host: "blog.example")));
        AddPixel(batch, "https://shop.example/landing?utm_source=newsletter", "pixel.example", Browser);
        shard.Process(batch); // warm: tenants, names, buckets grow once
        shard.Process(batch);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            shard.Process(batch);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, shard.Rejected);
        Assert.Equal(0, allocated);
    }
}
