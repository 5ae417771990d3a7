using System.Net;
using System.Net.Sockets;
using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

/// <summary>Issue 13 item 1: which tenants a shard admits, and when it forgets them.</summary>
public sealed class TenantLifecycleTests
{
    private const long Minute = 1_795_390_920_000;
    private const uint Arrived = (uint)(Minute / 1000) + 5;

    private static readonly string s_line =
        new NginxLineBuilder().Msec(Minute + 1_000).Set("status", "200").Set("bytes_sent", 10).Set("body_bytes_sent", 5).ToJson();

    private static (IngestPipeline Pipeline, Shard Shard, CollectingSink Sink) NewShard(AggregationOptions options, params string[] known)
    {
        options.Shards = 1;
        var sink = new CollectingSink();
        var pipeline = new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance, known: new KnownTenants(known));
        return (pipeline, pipeline.Shards[0], sink);
    }

    /// <summary>One line per tenant, through <paramref name="door"/>, from <paramref name="sender"/>.</summary>
    private static IngestBatch Lines(IngestPipeline pipeline, IngestSource door, ulong sender, IEnumerable<string> tenants, uint arrived = Arrived)
    {
        IngestBatch batch = pipeline.IngestBatches.Rent();
        batch.Source = door;
        byte[] line = Encoding.UTF8.GetBytes(s_line);
        foreach (string tenant in tenants)
        {
            byte[] t = Encoding.UTF8.GetBytes(tenant);
            batch.Add(MessageKind.NginxJson, RejectReason.None, System.IO.Hashing.XxHash3.HashToUInt64(t), t, line, arrived, sender);
        }

        return batch;
    }

    private static IEnumerable<string> Invented(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}{i}");

    private static Dictionary<string, ulong> Counted(CollectingSink sink) =>
        sink.Traffic.GroupBy(r => Encoding.UTF8.GetString(r.Tenant)).ToDictionary(g => g.Key, g => g.Aggregate(0UL, (sum, r) => sum + r.Counters.Requests));

    private static Dictionary<string, ulong> Refused(CollectingSink sink) =>
        sink.Errors.GroupBy(e => $"{e.Source}:{e.Reason}").ToDictionary(g => g.Key, g => g.Aggregate(0UL, (sum, e) => sum + e.Count));

    [Fact]
    public async Task ConfiguredTenantIsAdmittedPastTheCapAndNeverForgotten()
    {
        (IngestPipeline pipeline, Shard shard, CollectingSink sink) = NewShard(new AggregationOptions { MaxTenants = 2 }, "shop");
        long now = 1_000;
        shard.Clock = () => now;

        shard.Process(Lines(pipeline, IngestSource.Udp, SenderKey.None, ["evil0", "evil1", "evil2", "shop", "shop"]));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(new Dictionary<string, ulong> { ["evil0"] = 1, ["evil1"] = 1, ["shop"] = 2 }, Counted(sink));
        Assert.Equal(new Dictionary<string, ulong> { ["udp:too_many_tenants"] = 1 }, Refused(sink));

        now += 2 * 3600;
        Assert.Equal(2, shard.ForgetIdleTenants(now));
        Assert.Equal(1, shard.TenantCount); // shop, idle for two hours too, stays
        Assert.Equal(2, shard.TenantsForgotten);
    }

    [Fact]
    public async Task PerDoorLimitRefusesOneDoorsNewTenantsButNeitherHeldOnesNorAnotherDoors()
    {
        // 20 per shard: the first 10 are free, then 3 new tenants a minute per door.
        (IngestPipeline pipeline, Shard shard, CollectingSink sink) = NewShard(new AggregationOptions
        {
            MaxTenants = 20,
            NewTenantsPerMinutePerDoor = 3,
            NewTenantsPerMinutePerAddress = 0,
        });

        shard.Process(Lines(pipeline, IngestSource.Http, SenderKey.None, Invented("evil", 15)));
        shard.Process(Lines(pipeline, IngestSource.Udp, SenderKey.None, ["real0", "real1", "real2", "evil0"]));
        shard.Process(Lines(pipeline, IngestSource.Http, SenderKey.None, ["evil0", "evil14"]));
        shard.Process(Lines(pipeline, IngestSource.Http, SenderKey.None, ["evil13"], arrived: Arrived + 60)); // the next minute
        await shard.FlushAsync(CancellationToken.None);

        Dictionary<string, ulong> counted = Counted(sink);
        Assert.Equal(3UL, counted["evil0"]); // held: counted through any door
        Assert.Equal(1UL, counted["real2"]);
        Assert.Equal(1UL, counted["evil13"]);
        Assert.False(counted.ContainsKey("evil14"));
        Assert.Equal(13 + 3 + 1, counted.Count);
        Assert.Equal(new Dictionary<string, ulong> { ["http:new_tenant_rate"] = 3 }, Refused(sink));
    }

    [Fact]
    public async Task PerAddressLimitRefusesOneAddressesNewTenantsButNotAnothers()
    {
        (IngestPipeline pipeline, Shard shard, CollectingSink sink) = NewShard(new AggregationOptions
        {
            MaxTenants = 10,
            NewTenantsPerMinutePerDoor = 0,
            NewTenantsPerMinutePerAddress = 2,
        });
        ulong attacker = SenderKey.Of(IPAddress.Parse("203.0.113.7"));
        ulong visitor = SenderKey.Of(IPAddress.Parse("198.51.100.1"));

        shard.Process(Lines(pipeline, IngestSource.Http, attacker, Invented("evil", 9)));
        shard.Process(Lines(pipeline, IngestSource.Http, visitor, ["real"]));
        // Files and import have no address: exempt.
        shard.Process(Lines(pipeline, IngestSource.Http, SenderKey.None, ["local"]));
        await shard.FlushAsync(CancellationToken.None);

        Dictionary<string, ulong> counted = Counted(sink);
        Assert.Equal(5 + 2 + 2, counted.Count);
        Assert.Contains("real", counted.Keys);
        Assert.Contains("local", counted.Keys);
        Assert.Equal(new Dictionary<string, ulong> { ["http:new_tenant_address_rate"] = 2 }, Refused(sink));
    }

    [Fact]
    public async Task AnAddressFloodingOneDoorStillBringsNewTenantsThroughAnother()
    {
        (IngestPipeline pipeline, Shard shard, CollectingSink sink) = NewShard(new AggregationOptions
        {
            MaxTenants = 20,
            NewTenantsPerMinutePerDoor = 0,
            NewTenantsPerMinutePerAddress = 2,
        });
        // One host serving pixel floods (through a CDN, say) and sending its NGINX log over syslog.
        ulong host = SenderKey.Of(IPAddress.Parse("203.0.113.7"));

        shard.Process(Lines(pipeline, IngestSource.Http, host, Invented("evil", 15)));
        shard.Process(Lines(pipeline, IngestSource.Tcp, host, ["real1", "real2"]));
        await shard.FlushAsync(CancellationToken.None);

        Dictionary<string, ulong> counted = Counted(sink);
        Assert.Contains("real1", counted.Keys);
        Assert.Contains("real2", counted.Keys);
        Assert.Equal(new Dictionary<string, ulong> { ["http:new_tenant_address_rate"] = 3 }, Refused(sink));
    }

    [Fact]
    public async Task TheFileDoorIsExemptFromTheDoorLimit()
    {
        (IngestPipeline pipeline, Shard shard, CollectingSink sink) = NewShard(new AggregationOptions
        {
            MaxTenants = 10,
            NewTenantsPerMinutePerDoor = 1,
        });

        shard.Process(Lines(pipeline, IngestSource.File, SenderKey.None, Invented("site", 12)));
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(10, Counted(sink).Count);
        Assert.Equal(new Dictionary<string, ulong> { ["file:too_many_tenants"] = 2 }, Refused(sink));
    }

    [Fact]
    public async Task IdleTenantsAreForgottenAtAFlushEvenAnEmptyOne()
    {
        (IngestPipeline pipeline, Shard shard, CollectingSink sink) = NewShard(new AggregationOptions
        {
            MaxTenants = 8,
            TenantIdleTimeout = TimeSpan.FromHours(1),
        });
        long now = 10_000;
        shard.Clock = () => now;
        shard.Process(Lines(pipeline, IngestSource.Udp, SenderKey.None, ["a", "b"]));
        await shard.FlushAsync(CancellationToken.None);

        now += 3000;
        await shard.FlushAsync(CancellationToken.None); // empty: sets the clock, forgets nobody yet
        shard.Process(Lines(pipeline, IngestSource.Udp, SenderKey.None, ["b"]));
        await shard.FlushAsync(CancellationToken.None);
        Assert.Equal(0, shard.TenantsForgotten);

        now += 601; // a idle for 3,601 s, b for 601 s
        await shard.FlushAsync(CancellationToken.None); // an empty flush forgets too
        Assert.Equal(1, shard.TenantsForgotten);
        Assert.Equal(1, shard.TenantCount);
        shard.Process(Lines(pipeline, IngestSource.Udp, SenderKey.None, ["a", "b"])); // a comes back as a new tenant
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(new Dictionary<string, ulong> { ["a"] = 2, ["b"] = 3 }, Counted(sink));
        Assert.Empty(sink.Errors);
    }

    [Fact]
    public async Task AForgottenTenantsPendingCountsWereFlushedFirst()
    {
        (IngestPipeline pipeline, Shard shard, CollectingSink sink) = NewShard(new AggregationOptions
        {
            MaxTenants = 4,
            TenantIdleTimeout = TimeSpan.FromMinutes(1),
        });
        long now = 10_000;
        shard.Clock = () => now;
        shard.Process(Lines(pipeline, IngestSource.Udp, SenderKey.None, ["a"]));
        now += 120; // the flush that forgets a is the one that writes its line
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(1, shard.TenantsForgotten);
        Assert.Equal(new Dictionary<string, ulong> { ["a"] = 1 }, Counted(sink));
    }

    [Fact]
    public async Task UnderPressureTenantsIdleForFiveMinutesAreForgotten()
    {
        (IngestPipeline pipeline, Shard shard, CollectingSink sink) = NewShard(new AggregationOptions
        {
            MaxTenants = 8,
            TenantIdleTimeout = TimeSpan.FromHours(1),
        });
        long now = 10_000;
        shard.Clock = () => now;
        shard.Process(Lines(pipeline, IngestSource.Udp, SenderKey.None, Invented("t", 5)));
        await shard.FlushAsync(CancellationToken.None);
        now += 301;
        Assert.Equal(0, shard.ForgetIdleTenants(now)); // 5 of 8: no pressure, an hour it is

        shard.Process(Lines(pipeline, IngestSource.Udp, SenderKey.None, ["u"]));
        await shard.FlushAsync(CancellationToken.None);
        now += 1;
        Assert.Equal(5, shard.ForgetIdleTenants(now)); // 6 of 8: the five idle for 5 minutes go, u stays
        Assert.Equal(1, shard.TenantCount);

        // Their slots go to new tenants: 7 more fit beside u, where 2 did before.
        shard.Process(Lines(pipeline, IngestSource.Udp, SenderKey.None, Invented("v", 7)));
        Assert.Equal(8, shard.TenantCount);
        await shard.FlushAsync(CancellationToken.None);
        Assert.Empty(sink.Errors);
    }

    [Fact]
    public async Task RejectsWithInventedTenantsDoNotTakeSlotsPastThePolicy()
    {
        (IngestPipeline pipeline, Shard shard, CollectingSink sink) = NewShard(new AggregationOptions { MaxTenants = 2 });
        IngestBatch batch = pipeline.IngestBatches.Rent();
        batch.Source = IngestSource.Http;
        foreach (string tenant in Invented("evil", 5))
        {
            byte[] t = Encoding.UTF8.GetBytes(tenant);
            batch.Add(MessageKind.Rejected, RejectReason.InvalidField, System.IO.Hashing.XxHash3.HashToUInt64(t), t, "{}"u8, Arrived);
        }

        shard.Process(batch);
        await shard.FlushAsync(CancellationToken.None);

        Assert.Equal(2, shard.TenantCount);
        Assert.Equal(5UL, sink.Errors.Aggregate(0UL, (sum, e) => sum + e.Count));
    }

    [Fact]
    public void TheShardOfATenantDependsOnTheSeed()
    {
        string[] tenants = [.. Invented("site", 64)];
        int[] Placement(long seed) => [.. tenants.Select(t => TenantRouting.ShardOf(Encoding.UTF8.GetBytes(t), 8, seed))];

        Assert.Equal(Placement(42), Placement(42));
        Assert.NotEqual(Placement(42), Placement(43));
        Assert.NotEqual(Placement(0), Placement(TenantRouting.ProcessSeed)); // unseeded is what an attacker computes
    }

    [Fact]
    public async Task WritersRouteByTheirPipelinesSeed()
    {
        var sink = new CollectingSink();
        var options = new AggregationOptions { Shards = 8 };
        using var a = new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance, routingSeed: 1);
        using var b = new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance);
        Assert.Equal(TenantRouting.ProcessSeed, b.RoutingSeed);

        byte[] tenant = "acme"u8.ToArray();
        var writer = new ShardedBatchWriter(a, IngestSource.Udp);
        writer.Add(MessageKind.NginxJson, RejectReason.None, tenant, "{}"u8, Arrived);
        await writer.FlushAsync();

        int expected = TenantRouting.ShardOf(tenant, 8, 1);
        Assert.Equal(1, a.Shards[expected].QueueDepth);
    }

    [Fact]
    public void SenderKeysIgnoreThePortAndMapIpv4InIpv6ToIpv4()
    {
        ulong v4 = SenderKey.Of(IPAddress.Parse("192.0.2.1"));
        Assert.Equal(v4, SenderKey.Of(IPAddress.Parse("::ffff:192.0.2.1")));
        Assert.Equal(v4, SenderKey.Of(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 514).Serialize()));
        Assert.Equal(v4, SenderKey.Of(new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.1"), 40000).Serialize()));
        Assert.NotEqual(v4, SenderKey.Of(IPAddress.Parse("192.0.2.2")));
        Assert.NotEqual(SenderKey.None, SenderKey.Of(IPAddress.IPv6Loopback));
        Assert.Equal(SenderKey.None, SenderKey.Of((IPAddress?)null));
        Assert.Equal(AddressFamily.InterNetworkV6, new IPEndPoint(IPAddress.IPv6Loopback, 1).Serialize().Family);
    }
}
