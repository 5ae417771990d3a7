using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;
using FastIngest.Core.Internal;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// Posts one table's RowBinary body of an <see cref="InsertRound"/> to ClickHouse, under the query id
/// <see cref="InsertLedger"/> looks for. Both the writer and the replayer insert through it; it keeps no
/// buffer of its own (the body belongs to the caller's round), so it is safe for both at once.
/// </summary>
internal sealed class RowBinaryInserter
{
    // A round is one block for ClickHouse, so its write door's views see all of it or none of it.
    private static readonly Dictionary<string, object> s_insertSettings = new() { ["max_insert_block_size"] = 1_000_000_000 };

    // A shard on a server without insert_deduplication_token (18.16): Replicated tables there deduplicate the
    // blocks the door's views write by their content, so two different flushes whose hour or day rows come
    // out the same would lose the second in the rollups (ReplicatedClusterTests pins it). Off, as on one
    // server: a retry is told apart by the ledger instead.
    private static readonly Dictionary<string, object> s_noContentDeduplication = new(s_insertSettings) { ["insert_deduplicate"] = 0 };

    private readonly ClickHouseClient _client;
    private readonly SinkCounters _counters;
    private readonly string[] _insertSql;
    private readonly bool _deduplicationTokens;
    private ServerCapabilities? _capabilities;

    /// <param name="deduplicationTokens">
    /// A cluster shard's sink (issue 19): send <c>insert_deduplication_token</c> where the server has it
    /// (<see cref="ServerCapabilities.HasInsertDeduplicationToken"/>), so Replicated tables recognise a
    /// retry too. Off for the single server: its inserts stay as they were.
    /// </param>
    public RowBinaryInserter(ClickHouseClient client, string database, SinkCounters counters, bool deduplicationTokens = false)
    {
        _client = client;
        _counters = counters;
        _deduplicationTokens = deduplicationTokens;
        _insertSql = new string[TableEncoders.Tables.Length];
        for (int i = 0; i < _insertSql.Length; i++)
        {
            _insertSql[i] = TableEncoders.InsertSql(database, i);
        }
    }

    /// <summary>
    /// Inserts <paramref name="table"/>; an error status throws (the driver's
    /// <see cref="ClickHouseServerException"/>, or <see cref="ClickHouseException"/>), classed by <see cref="ClickHouseErrors"/>.
    /// </summary>
    public async Task InsertAsync(TableInsert table, CancellationToken cancellationToken)
    {
        Dictionary<string, object> settings = s_insertSettings;
        if (_deduplicationTokens)
        {
            // Learnt once, on the first insert (the shard may be down at start); a failure here fails the
            // insert like any other, and the round is spooled.
            _capabilities ??= await ServerCapabilities.LearnAsync(_client, cancellationToken).ConfigureAwait(false);
            settings = SettingsFor(table, _capabilities);
        }

        using var body = new ReadOnlyMemoryStream(table.Body.WrittenMemory);
        var options = new QueryOptions { QueryId = InsertLedger.QueryId(table.InsertId), CustomSettings = settings };
        using HttpResponseMessage response = await _client.PostStreamAsync(_insertSql[table.Index], body, isCompressed: false, cancellationToken, options).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string error = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new ClickHouseException((int)response.StatusCode, error);
        }

        _counters.Succeeded();
    }

    /// <summary>
    /// The settings of <paramref name="table"/>'s insert on a server with <paramref name="capabilities"/>:
    /// with <c>insert_deduplication_token</c> (the insert's id and table, so a retry of the same
    /// generation carries the same token and a new generation a new one) and
    /// <c>deduplicate_blocks_in_dependent_materialized_views</c> (the rows reach the Replicated tables
    /// through the write door's views) where the server has them.
    /// </summary>
    public static Dictionary<string, object> SettingsFor(TableInsert table, ServerCapabilities capabilities)
    {
        if (!capabilities.HasInsertDeduplicationToken)
        {
            return s_noContentDeduplication;
        }

        // Per insert, not per line: a small dictionary per table and round.
        return new Dictionary<string, object>(s_insertSettings)
        {
            ["insert_deduplication_token"] = DeduplicationToken(table),
            ["deduplicate_blocks_in_dependent_materialized_views"] = 1,
        };
    }

    /// <summary>The token of an insert: <c>fastingest-&lt;insert id&gt;-&lt;table&gt;</c>.</summary>
    public static string DeduplicationToken(TableInsert table) => InsertLedger.QueryId(table.InsertId) + "-" + table.Name;
}
