using FastIngest.Core.Internal;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// Splits a flush batch into one batch per ClickHouse shard, by <see cref="TenantShard"/> (issue 19).
/// </summary>
/// <remarks>
/// <para>Runs once per flush batch, not per line: the pieces are rented from the flush-batch pool and the
/// rows copied as they are (structs holding the tenants' interned names), so a steady state allocates
/// nothing but what a barrier needs (rare: a file tail's checkpoint, a keyed <c>/ingest</c>).</para>
/// <para><b>A new table of <see cref="FlushBatch"/> is one line in <see cref="Split"/></b>: <c>Route(pieces, batch.X,
/// static b =&gt; b.X, static (in XRow r) =&gt; r.Tenant)</c>. The unit test
/// <c>ShardSplitterTests.EveryRowListOfAFlushBatchIsSplit</c> fills every list of the batch by reflection and
/// fails for one left out.</para>
/// </remarks>
internal static class ShardSplitter
{
    public delegate byte[] TenantOf<TRow>(in TRow row);

    /// <summary>
    /// Fills <paramref name="pieces"/> (one slot per shard, rented from <paramref name="pool"/>) with <paramref name="batch"/>'s rows by shard and
    /// returns <paramref name="batch"/> to the pool. Every piece is rented, empty ones too: a barrier travels
    /// in each shard's piece and completes only once every shard has written (or spooled) its part.
    /// </summary>
    /// <remarks>Stateless: the aggregation shards flush into the sink concurrently, each with its own <paramref name="pieces"/>.</remarks>
    public static void Split(FlushBatch batch, Span<FlushBatch> pieces, ObjectPool<FlushBatch> pool)
    {
        for (int i = 0; i < pieces.Length; i++)
        {
            pieces[i] = pool.Rent();
        }

        Route(pieces, batch.Traffic, static b => b.Traffic, static (in TrafficRow r) => r.Tenant);
        Route(pieces, batch.Statuses, static b => b.Statuses, static (in StatusRow r) => r.Tenant);
        Route(pieces, batch.Errors, static b => b.Errors, static (in ErrorRow r) => r.Tenant);
        Route(pieces, batch.Pixels, static b => b.Pixels, static (in PixelRow r) => r.Tenant);
        Route(pieces, batch.Visitors, static b => b.Visitors, static (in VisitorRow r) => r.Tenant);
        Route(pieces, batch.Events, static b => b.Events, static (in EventRow r) => r.Tenant);
        Route(pieces, batch.Users, static b => b.Users, static (in UserRow r) => r.Tenant);
        Route(pieces, batch.Paths, static b => b.Paths, static (in PathRow r) => r.Tenant);
        Route(pieces, batch.Referrers, static b => b.Referrers, static (in ReferrerRow r) => r.Tenant);
        RouteRawRows(pieces, batch.RawRows);
        Route(pieces, batch.Agents, static b => b.Agents, static (in AgentRow r) => r.Tenant);

        long lines = 0, hits = 0, events = 0;
        foreach (FlushBatch piece in pieces)
        {
            foreach (TrafficRow row in piece.Traffic)
            {
                piece.Lines += (long)row.Counters.Requests;
            }

            foreach (PixelRow row in piece.Pixels)
            {
                piece.PixelHits += (long)row.Hits;
            }

            foreach (EventRow row in piece.Events)
            {
                piece.EventCount += (long)row.Events;
            }

            lines += piece.Lines;
            hits += piece.PixelHits;
            events += piece.EventCount;
        }

        // The batch's totals are its rows' sums (FlushBatch says so); should they ever differ, the
        // difference stays with shard 0, so the counts the sinks report still add up.
        pieces[0].Lines += batch.Lines - lines;
        pieces[0].PixelHits += batch.PixelHits - hits;
        pieces[0].EventCount += batch.EventCount - events;
        pool.Return(batch);
    }

    private static void Route<TRow>(Span<FlushBatch> pieces, List<TRow> rows, Func<FlushBatch, List<TRow>> listOf, TenantOf<TRow> tenantOf)
    {
        foreach (TRow row in rows)
        {
            listOf(pieces[TenantShard.Of(tenantOf(in row), pieces.Length)]).Add(row);
        }
    }

    private static void RouteRawRows(Span<FlushBatch> pieces, RawRowSet rows)
    {
        foreach (ref readonly RawRow row in rows.Rows)
        {
            pieces[TenantShard.Of(row.Tenant, pieces.Length)].RawRows.Add(rows, in row);
        }
    }
}
