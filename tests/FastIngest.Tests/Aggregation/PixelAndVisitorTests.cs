using System.IO.Hashing;
using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

public sealed class PixelAndVisitorTests
{
    private const long Minute = 1_795_390_920_000; // a minute start, in ms

    // A browser's agent: a bot's request counts no visitor by default (issue 18; bots have tests of their own).
    private const string BrowserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    private const ushort Day = (ushort)(Minute / 86_400_000);

    private static (IngestPipeline Pipeline, CollectingSink Sink) NewPipeline(int maxPixelKeys = 100_000, string[]? allowed = null)
    {
        var sink = new CollectingSink();
        var options = new AggregationOptions { Shards = 1, MaxPixelKeys = maxPixelKeys, VisitorSecret = "test-secret" };
        return (new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance, allowed is null ? null : new TenantAllowList(allowed)), sink);
    }

    private static void AddHit(IngestBatch batch, string tenant, string key, long ms, string address = "192.0.2.1", string agent = BrowserAgent, bool countVisitor = true)
    {
        byte[] t = Encoding.UTF8.GetBytes(tenant);
        var message = new byte[PixelHit.MaxEncodedLength];
        var hit = new PixelHit
        {
            TimestampMs = ms,
            CountVisitor = countVisitor,
            Key = Encoding.UTF8.GetBytes(key),
            Address = Encoding.UTF8.GetBytes(address),
            UserAgent = Encoding.UTF8.GetBytes(agent),
        };
        int length = hit.Encode(message);
        // The pixel stamps a hit with its arrival: both are the same second.
        batch.Add(MessageKind.PixelHit, RejectReason.None, XxHash3.HashToUInt64(t), t, message.AsSpan(0, length), (uint)(ms / 1000));
    }

    private static void AddLine(IngestBatch batch, string tenant, string line)
    {
        byte[] t = Encoding.UTF8.GetBytes(tenant);
        batch.Add(MessageKind.NginxJson, RejectReason.None, XxHash3.HashToUInt64(t), t, Encoding.UTF8.GetBytes(line), (uint)(Minute / 1000) + 1);
    }

    /// <param name="optOut">A header field that opts the visitor out (http_dnt or http_sec_gpc), set to 1.</param>
    private static string NginxLine(string uri, int status = 200, string address = "192.0.2.1", string agent = BrowserAgent, string? optOut = null)
    {
        NginxLineBuilder line = new NginxLineBuilder().Msec(Minute + 500).Set("status", status).Set("uri", uri).Set("remote_addr", address).Set("http_user_agent", agent);
        return (optOut is null ? line : line.Set(optOut, "1")).ToJson();
    }

    private static string Text(byte[] utf8) => Encoding.UTF8.GetString(utf8);

    [Fact]
    public void AHitSurvivesItsTripThroughABatchByteForByte()
    {
        var message = new byte[PixelHit.MaxEncodedLength];
        string longAgent = new('a', 2000);
        int length = new PixelHit
        {
            TimestampMs = Minute + 123,
            CountVisitor = false,
            Key = "home"u8,
            Address = "2001:db8::1"u8,
            UserAgent = Encoding.UTF8.GetBytes(longAgent),
        }.Encode(message);

        Assert.True(PixelHit.TryDecode(message.AsSpan(0, length), out PixelHit hit));
        Assert.Equal(Minute + 123, hit.TimestampMs);
        Assert.False(hit.CountVisitor);
        Assert.Equal("home", Encoding.UTF8.GetString(hit.Key));
        Assert.Equal("2001:db8::1", Encoding.UTF8.GetString(hit.Address));
        Assert.Equal(PixelHit.MaxUserAgentBytes, hit.UserAgent.Length);
        Assert.False(PixelHit.TryDecode(message.AsSpan(0, 10), out _));
    }

    [Fact]
    public async Task HitsAreCountedPerTenantKeyAndMinute()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline();
        Shard shard = pipeline.Shards[0];
        IngestBatch batch = pipeline.IngestBatches.Rent();
        AddHit(batch, "acme", "home", Minute + 1);
        AddHit(batch, "acme", "home", Minute + 59_999);
        AddHit(batch, "acme", "home", Minute + 60_000);
        AddHit(batch, "acme", "cart", Minute);
        AddHit(batch, "beta", "home", Minute);
        shard.Process(batch);
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(
            [$"acme/cart/{Minute / 1000}=1", $"acme/home/{Minute / 1000}=2", $"acme/home/{Minute / 1000 + 60}=1", $"beta/home/{Minute / 1000}=1"],
            sink.Pixels.Select(p => $"{Text(p.Tenant)}/{Text(p.Key)}/{p.Minute}={p.Hits}").Order());
        Assert.Equal(5, shard.PixelHits);
        Assert.Equal(0, shard.LinesCounted);
        Assert.Empty(sink.Traffic);
    }

    [Fact]
    public async Task AVisitorIsOneHashPerDayAndKeyAndDoNotTrackCountsTheHitOnly()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline();
        Shard shard = pipeline.Shards[0];
        IngestBatch batch = pipeline.IngestBatches.Rent();
        AddHit(batch, "acme", "home", Minute, "192.0.2.1", "Firefox");
        AddHit(batch, "acme", "home", Minute + 5, "192.0.2.1", "Firefox");
        AddHit(batch, "acme", "home", Minute + 6, "192.0.2.1", "Chrome");
        AddHit(batch, "acme", "home", Minute + 7, "192.0.2.2", "Firefox", countVisitor: false);
        AddHit(batch, "acme", "home", Minute + 86_400_000, "192.0.2.1", "Firefox");
        shard.Process(batch);
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(5UL, (ulong)sink.Pixels.Sum(p => (long)p.Hits));
        var visitors = sink.Visitors.Select(v => (Text(v.Tenant), Text(v.Key), v.Day, v.Visitor)).ToList();
        Assert.Equal(3, visitors.Count);
        Assert.Equal(2, visitors.Count(v => v.Day == Day));
        Assert.All(visitors, v => Assert.Equal(("acme", "home"), (v.Item1, v.Item2)));
        // The same person the next day is a different hash: the salt rotates with the UTC day.
        Assert.DoesNotContain(visitors.Single(v => v.Day == Day + 1).Visitor, visitors.Where(v => v.Day == Day).Select(v => v.Visitor));
    }

    [Fact]
    public async Task NginxServedPixelsCountAsHitsOfTheTenantInTheirUrlAndEveryLineGivesAVisitor()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline();
        Shard shard = pipeline.Shards[0];
        IngestBatch batch = pipeline.IngestBatches.Rent();
        AddLine(batch, "shop_example", NginxLine("/p/acme/home.gif"));
        AddLine(batch, "shop_example", NginxLine("/p/acme/home.gif", address: "192.0.2.9", optOut: "http_dnt"));
        AddLine(batch, "shop_example", NginxLine("/p/acme/home.gif", status: 404));
        AddLine(batch, "shop_example", NginxLine("/p/bad!/home.gif"));
        AddLine(batch, "shop_example", NginxLine("/index.html", address: "192.0.2.7", optOut: "http_sec_gpc"));
        AddLine(batch, "shop_example", NginxLine("/index.html", address: "192.0.2.8"));
        shard.Process(batch);
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(6UL, (ulong)sink.Traffic.Sum(t => (long)t.Counters.Requests));
        Assert.Equal([$"acme/home/{Minute / 1000}=2"], sink.Pixels.Select(p => $"{Text(p.Tenant)}/{Text(p.Key)}/{p.Minute}={p.Hits}"));
        // Whole traffic: 192.0.2.1 and .8 (the DNT and GPC requests count, their visitors don't); pixel: .1 only.
        Assert.Equal(
            ["acme/home", "shop_example/", "shop_example/"],
            sink.Visitors.Select(v => $"{Text(v.Tenant)}/{Text(v.Key)}").Order());
        // A visitor hashes the same whether NGINX or FastIngest served the pixel.
        IngestBatch own = pipeline.IngestBatches.Rent();
        AddHit(own, "acme", "home", Minute + 500);
        shard.Process(own);
        await shard.FlushAsync(CancellationToken.None);
        Assert.Equal(2, sink.Visitors.Count(v => Text(v.Tenant) == "acme"));
        Assert.Single(sink.Visitors.Where(v => Text(v.Tenant) == "acme").Select(v => v.Visitor).Distinct());
    }

    [Fact]
    public async Task AnAllowListKeepsNginxPixelsOfStrangersOutOfPixelCounts()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(allowed: ["acme"]);
        Shard shard = pipeline.Shards[0];
        IngestBatch batch = pipeline.IngestBatches.Rent();
        AddLine(batch, "shop", NginxLine("/p/acme/home.gif"));
        AddLine(batch, "shop", NginxLine("/p/invented/home.gif"));
        shard.Process(batch);
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(["acme"], sink.Pixels.Select(p => Text(p.Tenant)));
        Assert.Equal(2UL, (ulong)sink.Traffic.Sum(t => (long)t.Counters.Requests));
    }

    [Fact]
    public async Task KeysPastTheCapFoldIntoOtherSoSumsStayExact()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline(maxPixelKeys: 3);
        Shard shard = pipeline.Shards[0];
        IngestBatch batch = pipeline.IngestBatches.Rent();
        for (int i = 0; i < 10; i++)
        {
            AddHit(batch, "acme", "k" + i, Minute);
        }

        shard.Process(batch);
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(["(other)=7", "k0=1", "k1=1", "k2=1"], sink.Pixels.Select(p => $"{Text(p.Key)}={p.Hits}").Order());
        Assert.Equal(7, shard.PixelKeysFolded);
    }

    [Theory]
    [InlineData("/p/acme/home.gif", "acme", "home", "none", true)]
    [InlineData("/p/a.b-c_d/x.y.gif", "a.b-c_d", "x.y", "none", true)]
    [InlineData("/p//home.gif", "", "", "invalid_tenant", false)]
    [InlineData("/p/acme/.gif", "", "", "invalid_key", false)]
    [InlineData("/p/acme/a/b.gif", "", "", "invalid_key", false)]
    [InlineData("/p/ac%20me/home.gif", "", "", "invalid_tenant", false)]
    [InlineData("/p/acme.gif", "", "", "none", false)]
    [InlineData("/index.html", "", "", "none", false)]
    [InlineData("/p/acme/home.png", "", "", "none", false)]
    public void PixelPathsAreSplitAndValidated(string path, string tenant, string key, string reason, bool ok)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(path);
        Assert.Equal(ok, PixelPath.TryParse(bytes, out Range t, out Range k, out RejectReason why));
        Assert.Equal(reason, RejectReasons.Name(why));
        if (ok)
        {
            Assert.Equal((tenant, key), (Encoding.UTF8.GetString(bytes[t]), Encoding.UTF8.GetString(bytes[k])));
        }
    }

    [Fact]
    public void ALongerThan64ByteKeyIsInvalid()
    {
        Assert.True(PixelPath.TryParse(Encoding.UTF8.GetBytes($"/p/acme/{new string('k', 64)}.gif"), out _, out _, out _));
        Assert.False(PixelPath.TryParse(Encoding.UTF8.GetBytes($"/p/acme/{new string('k', 65)}.gif"), out _, out _, out RejectReason why));
        Assert.Equal(RejectReason.InvalidKey, why);
    }

    [Fact]
    public async Task CountingHitsAndVisitorsAllocatesNothingOnceWarm()
    {
        (IngestPipeline pipeline, CollectingSink sink) = NewPipeline();
        Shard shard = pipeline.Shards[0];
        IngestBatch batch = pipeline.IngestBatches.Rent();
        for (int i = 0; i < 400; i++)
        {
            AddHit(batch, "acme", "k" + (i % 20), Minute + i, "192.0.2." + (i % 50), "agent");
            AddLine(batch, "acme", NginxLine("/p/acme/k" + (i % 20) + ".gif", address: "192.0.2." + (i % 50)));
        }

        shard.Process(batch); // warm: names, buckets and the visitor set grow here
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            shard.Process(batch);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        await shard.FlushAsync(CancellationToken.None);
        Assert.Equal(21 * 800, shard.PixelHits);
        Assert.Equal(21 * 800UL, (ulong)sink.Pixels.Sum(p => (long)p.Hits));
    }
}
