using System.IO.Hashing;
using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Events;
using FastIngest.Core.Sinks;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastIngest.Tests.Aggregation;

/// <summary>Issue 14: user ids and visitors are hashed under a secret key, not a public function of the tenant.</summary>
public sealed class KeyedHashTests
{
    private static async Task<List<UserRow>> UsersAsync(AggregationOptions options, params string[] userIds)
    {
        var sink = new CollectingSink();
        var pipeline = new IngestPipeline(options, sink, sink.Pool, NullLogger.Instance);
        IngestBatch batch = pipeline.IngestBatches.Rent();
        var message = new byte[EventMessage.MaxEncodedLength];
        byte[] tenant = "shop"u8.ToArray();
        foreach (string userId in userIds)
        {
            int length = new EventMessage { TimestampMs = 1_795_390_925_000, EventType = "buy"u8, Path = "/"u8, UserId = Encoding.UTF8.GetBytes(userId) }.Encode(message);
            batch.Add(MessageKind.Event, RejectReason.None, XxHash3.HashToUInt64(tenant), tenant, message.AsSpan(0, length), 1_795_390_925);
        }

        Shard shard = pipeline.Shards[0];
        shard.Process(batch);
        await shard.FlushAsync(CancellationToken.None);
        return sink.Users;
    }

    [Fact]
    public async Task UserHashesFollowTheSecretAndNoLongerTheTenantName()
    {
        List<UserRow> first = await UsersAsync(new AggregationOptions { Shards = 1, VisitorSecret = "one" }, "alice@example.com", "bob@example.com");
        List<UserRow> again = await UsersAsync(new AggregationOptions { Shards = 1, VisitorSecret = "one" }, "alice@example.com", "bob@example.com");
        List<UserRow> other = await UsersAsync(new AggregationOptions { Shards = 1, VisitorSecret = "two" }, "alice@example.com", "bob@example.com");

        // Distinct users stay distinct and the same secret gives the same hashes: counting is unchanged.
        Assert.Equal(2, first.Select(u => u.User).Distinct().Count());
        Assert.Equal(first.Select(u => u.User).Order(), again.Select(u => u.User).Order());
        Assert.Empty(first.Select(u => u.User).Intersect(other.Select(u => u.User)));

        // What the old hash was: anyone could recompute it from the tenant's name and a guessed address.
        ulong guessed = XxHash3.HashToUInt64("alice@example.com"u8, (long)XxHash3.HashToUInt64("shop"u8));
        Assert.DoesNotContain(guessed, first.Select(u => u.User));
    }

    [Fact]
    public async Task WithoutASecretTheStoredUserSecretKeysTheHash()
    {
        byte[] stored = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
        List<UserRow> first = await UsersAsync(new AggregationOptions { Shards = 1, StoredUserSecret = stored }, "alice@example.com");
        List<UserRow> again = await UsersAsync(new AggregationOptions { Shards = 1, StoredUserSecret = stored }, "alice@example.com");

        Assert.Equal(first.Single().User, again.Single().User);
    }

    [Fact]
    public void VisitorHashesDependOnTheKeyAndTheDay()
    {
        var one = new VisitorHasher(HashKeys.Visitors(new AggregationOptions { VisitorSecret = "one" }));
        var same = new VisitorHasher(HashKeys.Visitors(new AggregationOptions { VisitorSecret = "one" }));
        var two = new VisitorHasher(HashKeys.Visitors(new AggregationOptions { VisitorSecret = "two" }));

        Assert.True(one.TryHash(20_000, "shop"u8, "203.0.113.77"u8, "PlantedAgent"u8, out ulong a));
        Assert.True(same.TryHash(20_000, "shop"u8, "203.0.113.77"u8, "PlantedAgent"u8, out ulong b));
        Assert.True(two.TryHash(20_000, "shop"u8, "203.0.113.77"u8, "PlantedAgent"u8, out ulong c));
        Assert.True(one.TryHash(20_001, "shop"u8, "203.0.113.77"u8, "PlantedAgent"u8, out ulong nextDay));
        Assert.True(one.TryHash(20_000, "shop"u8, "203.0.113.78"u8, "PlantedAgent"u8, out ulong otherAddress));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, nextDay);
        Assert.NotEqual(a, otherAddress);
    }

    [Fact]
    public void VisitorAndUserKeysDifferForOneSecret()
    {
        var options = new AggregationOptions { VisitorSecret = "one" };

        Assert.NotEqual(HashKeys.Visitors(options).Hash("x"u8), HashKeys.Users(options).Hash("x"u8));
    }
}
