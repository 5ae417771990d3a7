using System.Globalization;
using System.Text;
using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// What ClickHouse already has of a spooled round, asked before it is sent again. Every insert fills
/// <c>insert_ledger</c> in the same statement (see <c>clickhouse/schema.sql</c>) and runs under a
/// <c>query_id</c> made from its insert id, so both questions are keyed on the round's insert ids.
/// </summary>
/// <remarks>
/// Ask <see cref="CountRunningAsync"/> first and <see cref="RowsAsync"/> second: an insert that is not
/// running now and not in the ledger either never took effect, and can't any more.
/// </remarks>
internal sealed class InsertLedger(ClickHouseClient client, string database)
{
    /// <summary>The <c>query_id</c> an insert runs under: a re-sent insert reuses it, which ClickHouse refuses while the first runs.</summary>
    public static string QueryId(ulong insertId) => "fastingest-" + insertId.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>How many of the round's inserts ClickHouse is still running (<c>system.processes</c>).</summary>
    public async Task<long> CountRunningAsync(InsertRound round, CancellationToken cancellationToken)
    {
        string text = await client.QueryTextAsync(RunningSql(round), cancellationToken).ConfigureAwait(false);
        return ParseCount(text);
    }

    /// <summary>Ledger rows per insert id of the round; an id ClickHouse never applied is absent.</summary>
    public async Task<Dictionary<ulong, long>> RowsAsync(InsertRound round, CancellationToken cancellationToken)
    {
        string text = await client.QueryTextAsync(LedgerSql(database, round), cancellationToken).ConfigureAwait(false);
        return ParseRows(text);
    }

    /// <summary>Counts the round's non-empty inserts among the queries ClickHouse runs now.</summary>
    public static string RunningSql(InsertRound round) =>
        $"SELECT count() FROM system.processes WHERE query_id IN ({IdList(round, quotedQueryIds: true)}) FORMAT TSV";

    /// <summary>Sums ledger rows per insert id, for the round's non-empty inserts.</summary>
    public static string LedgerSql(string database, InsertRound round) =>
        $"SELECT insert_id, sum(rows) FROM {database}.insert_ledger WHERE insert_id IN ({IdList(round, quotedQueryIds: false)}) GROUP BY insert_id FORMAT TSV";

    public static long ParseCount(string text) => long.Parse(text.Trim(), CultureInfo.InvariantCulture);

    /// <summary>Reads <c>insert_id TAB rows</c> lines.</summary>
    public static Dictionary<ulong, long> ParseRows(string text)
    {
        var rows = new Dictionary<ulong, long>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] fields = line.Split('\t');
            rows[ulong.Parse(fields[0], CultureInfo.InvariantCulture)] = long.Parse(fields[1], CultureInfo.InvariantCulture);
        }

        return rows;
    }

    // Query ids as 'fastingest-…' literals, or insert ids as decimal numbers, joined by ", ".
    private static string IdList(InsertRound round, bool quotedQueryIds)
    {
        var ids = new StringBuilder();
        foreach (TableInsert table in round.Tables)
        {
            if (table.Rows == 0)
            {
                continue;
            }

            if (ids.Length > 0)
            {
                ids.Append(", ");
            }

            if (quotedQueryIds)
            {
                ids.Append('\'').Append(QueryId(table.InsertId)).Append('\'');
            }
            else
            {
                ids.Append(table.InsertId.ToString(CultureInfo.InvariantCulture));
            }
        }

        return ids.ToString();
    }
}
