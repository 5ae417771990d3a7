using System.Collections.Concurrent;
using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Retention;

/// <summary>
/// One pass of retention over FastIngest's database. Where the server has table TTL (19.6+), each table
/// gets <c>TTL col + INTERVAL n DAY</c>, set only when it differs from what the table has; on 18.16 the
/// partitions whose whole time range is past the window are dropped (<c>ALTER TABLE … DROP PARTITION ID</c>).
/// <c>insert_ledger</c> is expired by partition drops on every version, never by a TTL: see <see cref="LedgerTable"/>.
/// </summary>
internal sealed class RetentionEnforcer(
    ClickHouseClient client,
    string database,
    RetentionRule rule,
    Func<DateTimeOffset?> oldestUnconfirmed,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>
    /// The ledger is how a replay knows an insert already took effect, so a ledger row must outlive every
    /// round that may still be replayed. The spool has no age limit (ClickHouse or FastIngest can be down for
    /// weeks) and a TTL would expire rows while FastIngest is stopped, so FastIngest drops the ledger's
    /// months itself, and never one that could hold the row of a round still in its spool or quarantine.
    /// </summary>
    public const string LedgerTable = "insert_ledger";

    /// <summary>
    /// Slack under the oldest unconfirmed round's time for ClickHouse's clock running behind ours: the
    /// ledger's <c>time</c> is the server's <c>now()</c> at the insert.
    /// </summary>
    public static readonly TimeSpan ClockSlack = TimeSpan.FromDays(1);

    private readonly RetentionCatalog _catalog = new(client, database);
    private readonly ConcurrentDictionary<string, long> _partitionsDropped = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _rowsDropped = new(StringComparer.Ordinal);
    private ServerCapabilities? _capabilities;
    private long _ttlChanges;

    /// <summary>The server's capabilities once the first run learnt them.</summary>
    public ServerCapabilities? Capabilities => Volatile.Read(ref _capabilities);

    /// <summary>Partitions dropped per table (the label set is the database's tables: bounded by the schema and the operator).</summary>
    public IReadOnlyDictionary<string, long> PartitionsDropped => _partitionsDropped;

    /// <summary>Rows in the dropped partitions, per table.</summary>
    public IReadOnlyDictionary<string, long> RowsDropped => _rowsDropped;

    /// <summary>TTLs set or removed (<c>ALTER TABLE … MODIFY TTL / REMOVE TTL</c>).</summary>
    public long TtlChanges => Interlocked.Read(ref _ttlChanges);

    /// <summary>One pass; a ClickHouse error throws (the caller logs it and tries again).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_capabilities is null)
        {
            ServerCapabilities learnt = await ServerCapabilities.LearnAsync(client, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _capabilities, learnt);
            RetentionLog.Learnt(logger, learnt.ToString(), learnt.HasTtl ? "table TTL (the ledger by partition drops)" : "partition drops (no TTL before 19.6)");
        }

        List<RetentionTable> tables = await _catalog.TablesAsync(cancellationToken).ConfigureAwait(false);
        var byPartitions = new List<RetentionTable>();
        foreach (RetentionTable table in tables)
        {
            if (table.Key is null)
            {
                RetentionLog.UnknownKey(logger, table.Name);
            }
            else if (_capabilities.HasTtl && table.Name != LedgerTable)
            {
                await ReconcileTtlAsync(table, table.Key, rule.DaysFor(table.Name), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (_capabilities.HasTtl)
                {
                    // The ledger: never a TTL, which would expire rows a spooled round needs while FastIngest is stopped.
                    await ReconcileTtlAsync(table, table.Key, 0, cancellationToken).ConfigureAwait(false);
                }

                if (rule.DaysFor(table.Name) > 0)
                {
                    byPartitions.Add(table);
                }
            }
        }

        if (byPartitions.Count > 0)
        {
            await DropExpiredAsync(byPartitions, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The cutoff for <paramref name="table"/>: rows older than it are expired.</summary>
    public DateTime Cutoff(string table, int days, DateTimeOffset now)
    {
        DateTime cutoff = now.UtcDateTime.AddDays(-days);
        if (table == LedgerTable && oldestUnconfirmed() is { } oldest)
        {
            DateTime floor = oldest.UtcDateTime - ClockSlack;
            if (floor < cutoff)
            {
                cutoff = floor;
            }
        }

        return cutoff;
    }

    private async Task ReconcileTtlAsync(RetentionTable table, PartitionKey key, int days, CancellationToken cancellationToken)
    {
        string qualified = database + "." + table.Name;
        if (days == 0)
        {
            // Kept for good: remove a TTL FastIngest set before (an override back to 0), never an operator's own.
            if (table.Ttl.Length > 0 && TtlClause.IsOurs(table.Ttl, key.TimeColumn))
            {
                await client.ExecuteNonQueryAsync($"ALTER TABLE {qualified} REMOVE TTL", cancellationToken: cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _ttlChanges);
                RetentionLog.TtlRemoved(logger, table.Name, table.Ttl);
            }

            return;
        }

        if (TtlClause.Matches(table.Ttl, key.TimeColumn, days))
        {
            return;
        }

        string ttl = TtlClause.Expression(key.TimeColumn, days);
        await client.ExecuteNonQueryAsync($"ALTER TABLE {qualified} MODIFY TTL {ttl}", cancellationToken: cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _ttlChanges);
        RetentionLog.TtlSet(logger, table.Name, ttl, table.Ttl.Length > 0 ? table.Ttl : "none");
    }

    private async Task DropExpiredAsync(List<RetentionTable> tables, CancellationToken cancellationToken)
    {
        var byName = new Dictionary<string, RetentionTable>(StringComparer.Ordinal);
        foreach (RetentionTable table in tables)
        {
            byName[table.Name] = table;
        }

        DateTimeOffset now = time.GetUtcNow();
        foreach ((string name, string partitionId, long rows) in await _catalog.PartitionsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!byName.TryGetValue(name, out RetentionTable? table))
            {
                continue;
            }

            int days = rule.DaysFor(name);
            DateTime cutoff = Cutoff(name, days, now);
            if (!table.Key!.IsExpired(partitionId, cutoff))
            {
                continue;
            }

            string sql = $"ALTER TABLE {database}.{name} DROP PARTITION ID {ClickHouseSql.Quote(partitionId)}";
            await client.ExecuteNonQueryAsync(sql, cancellationToken: cancellationToken).ConfigureAwait(false);
            _partitionsDropped.AddOrUpdate(name, 1, static (_, count) => count + 1);
            _rowsDropped.AddOrUpdate(name, rows, (_, count) => count + rows);
            RetentionLog.PartitionDropped(logger, name, partitionId, rows, days, cutoff);
        }
    }
}
