using System.Collections;
using System.IO.Hashing;
using System.Text;
using FastIngest.Core.Internal;
using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Tests.Sinks.ClickHouse;

public sealed class ShardSplitterTests
{
    private static readonly string[] s_tenants = ["t0", "t1", "t2", "t3", "t4", "acme", "shop", "blog"];

    // One row of every table per tenant, and a tenant-less error row (a line refused before its tenant was known).
    private static FlushBatch Batch()
    {
        var batch = new FlushBatch();
        uint minute = 1_764_000_000 / 60 * 60;
        ushort day = (ushort)(minute / 86_400);
        for (int i = 0; i < s_tenants.Length; i++)
        {
            byte[] tenant = Encoding.UTF8.GetBytes(s_tenants[i]);
            ulong n = (ulong)(i + 1);
            batch.Traffic.Add(new TrafficRow(tenant, minute, new TrafficCounters { Requests = n }));
            batch.Statuses.Add(new StatusRow(tenant, minute, 200, n));
            batch.Errors.Add(new ErrorRow(minute, "udp", tenant, "not_json", 1, "x"));
            batch.Pixels.Add(new PixelRow(tenant, "k"u8.ToArray(), minute, n * 10));
            batch.Visitors.Add(new VisitorRow(tenant, day, [], n));
            batch.Events.Add(new EventRow(tenant, minute, "view"u8.ToArray(), "/"u8.ToArray(), n * 100));
            batch.Users.Add(new UserRow(tenant, day, n));
            batch.Paths.Add(new PathRow(tenant, minute / 3600 * 3600, "/"u8.ToArray(), new PathCounters { Requests = n }));
            batch.Referrers.Add(new ReferrerRow(tenant, day, 1, "search.example"u8.ToArray(), [], n, n));
            batch.RawRows.Add(new RawRow { Tenant = tenant, Time = minute, Status = 200 }, "GET"u8, "/"u8, ""u8);
            batch.Agents.Add(new AgentRow(tenant, (ushort)(minute / 86_400), "chrome", "android", "mobile", false, "", n, 7));
            batch.Lines += (long)n;
            batch.PixelHits += (long)n * 10;
            batch.EventCount += (long)n * 100;
        }

        batch.Errors.Add(new ErrorRow(minute, "udp", [], "no_tenant", 3, ""));
        return batch;
    }

    // Every row list of a FlushBatch, found by reflection (Barriers is not rows): a table added to
    // FlushBatch shows up here without anyone remembering this test.
    private static Dictionary<string, int> RowCounts(FlushBatch batch)
    {
        var counts = new Dictionary<string, int>();
        foreach (System.Reflection.PropertyInfo property in typeof(FlushBatch).GetProperties())
        {
            if (property.Name == nameof(FlushBatch.Barriers))
            {
                continue;
            }

            object? value = property.GetValue(batch);
            if (value is IList list)
            {
                counts[property.Name] = list.Count;
            }
            else if (value is RawRowSet raw)
            {
                counts[property.Name] = raw.Count;
            }
        }

        return counts;
    }

    private static IEnumerable<byte[]> Tenants(FlushBatch piece)
    {
        foreach (TrafficRow row in piece.Traffic) yield return row.Tenant;
        foreach (StatusRow row in piece.Statuses) yield return row.Tenant;
        foreach (ErrorRow row in piece.Errors) yield return row.Tenant;
        foreach (PixelRow row in piece.Pixels) yield return row.Tenant;
        foreach (VisitorRow row in piece.Visitors) yield return row.Tenant;
        foreach (EventRow row in piece.Events) yield return row.Tenant;
        foreach (UserRow row in piece.Users) yield return row.Tenant;
        foreach (PathRow row in piece.Paths) yield return row.Tenant;
        for (int i = 0; i < piece.RawRows.Count; i++) yield return piece.RawRows.Rows[i].Tenant;
    }

    [Fact]
    public void EveryRowListOfAFlushBatchIsSplit()
    {
        var pool = new ObjectPool<FlushBatch>();
        FlushBatch batch = Batch();
        Dictionary<string, int> before = RowCounts(batch);
        // A list this test leaves empty would prove nothing: fill it in Batch() when FlushBatch gains one.
        Assert.All(before, list => Assert.True(list.Value > 0, $"FlushBatch.{list.Key} is empty in this test's batch: add a row of it to Batch()"));

        var pieces = new FlushBatch[3];
        ShardSplitter.Split(batch, pieces, pool);

        foreach ((string list, int count) in before)
        {
            Assert.Equal($"{list} {count}", $"{list} {pieces.Sum(p => RowCounts(p)[list])}");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void EachTenantsRowsLandOnItsOneShardAndRowsWithoutATenantOnShardZero(int shards)
    {
        var pool = new ObjectPool<FlushBatch>();
        var pieces = new FlushBatch[shards];
        ShardSplitter.Split(Batch(), pieces, pool);

        var shardOf = new Dictionary<string, int>();
        for (int i = 0; i < shards; i++)
        {
            foreach (byte[] tenant in Tenants(pieces[i]))
            {
                string name = Encoding.UTF8.GetString(tenant);
                Assert.Equal(name.Length == 0 ? 0 : (int)(XxHash3.HashToUInt64(tenant) % (ulong)shards), i);
                Assert.Equal(i, shardOf.GetValueOrDefault(name, i));
                shardOf[name] = i;
            }
        }

        Assert.Equal(s_tenants.Length + 1, shardOf.Count);
        Assert.True(shardOf.Values.Distinct().Count() > 1, "eight tenants should not all hash to one shard");
    }

    [Fact]
    public void EachPiecesCountsAreItsRowsSumsAndAddUpToTheBatchs()
    {
        var pool = new ObjectPool<FlushBatch>();
        FlushBatch batch = Batch();
        (long lines, long hits, long events) = (batch.Lines, batch.PixelHits, batch.EventCount);
        var pieces = new FlushBatch[2];
        ShardSplitter.Split(batch, pieces, pool);

        foreach (FlushBatch piece in pieces)
        {
            Assert.Equal(piece.Traffic.Sum(r => (long)r.Counters.Requests), piece.Lines);
            Assert.Equal(piece.Pixels.Sum(r => (long)r.Hits), piece.PixelHits);
            Assert.Equal(piece.Events.Sum(r => (long)r.Events), piece.EventCount);
        }

        Assert.Equal((lines, hits, events), (pieces.Sum(p => p.Lines), pieces.Sum(p => p.PixelHits), pieces.Sum(p => p.EventCount)));
    }

    [Fact]
    public void ATenantsShardIsTheUnseededHashOfItsNameOnEveryNode()
    {
        // Fixed values: a change here moves tenants between shards, so nodes of two versions would disagree.
        Assert.Equal(
            [1, 0, 0, 1, 1],
            s_tenants[..5].Select(t => TenantShard.Of(Encoding.UTF8.GetBytes(t), 2)).ToArray());
        Assert.Equal(0, TenantShard.Of([], 2));
        Assert.Equal(0, TenantShard.Of("t1"u8, 1));
    }
}
