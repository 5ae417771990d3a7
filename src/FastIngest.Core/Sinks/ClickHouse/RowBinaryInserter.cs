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

    private readonly ClickHouseClient _client;
    private readonly SinkCounters _counters;
    private readonly string[] _insertSql;

    public RowBinaryInserter(ClickHouseClient client, string database, SinkCounters counters)
    {
        _client = client;
        _counters = counters;
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
        using var body = new ReadOnlyMemoryStream(table.Body.WrittenMemory);
        var options = new QueryOptions { QueryId = InsertLedger.QueryId(table.InsertId), CustomSettings = s_insertSettings };
        using HttpResponseMessage response = await _client.PostStreamAsync(_insertSql[table.Index], body, isCompressed: false, cancellationToken, options).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string error = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new ClickHouseException((int)response.StatusCode, error);
        }

        _counters.Succeeded();
    }
}
