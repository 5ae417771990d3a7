using System.Text;
using ClickHouse.Driver;
using FastIngest.Core.ClickHouse;

namespace FastIngest.Core.Retention;

/// <summary>
/// The tables of FastIngest's database and their partitions, asked of the server each run (so a table the
/// schema or an operator added since is found), with the queries and their TSV answers kept testable.
/// </summary>
internal sealed class RetentionCatalog(ClickHouseClient client, string database)
{
    /// <summary>Every MergeTree-family table of the database (the <c>_in</c> doors are Null, views are not tables of their own).</summary>
    public async Task<List<RetentionTable>> TablesAsync(CancellationToken cancellationToken) =>
        ParseTables(await client.QueryTextAsync(TablesSql(database), cancellationToken).ConfigureAwait(false));

    /// <summary>Active partitions per table: (table, partition id, rows).</summary>
    public async Task<List<(string Table, string PartitionId, long Rows)>> PartitionsAsync(CancellationToken cancellationToken) =>
        ParsePartitions(await client.QueryTextAsync(PartitionsSql(database), cancellationToken).ConfigureAwait(false));

    public static string TablesSql(string database) =>
        $"SELECT name, partition_key, engine_full FROM system.tables WHERE database = {ClickHouseSql.Quote(database)} AND engine LIKE '%MergeTree' ORDER BY name FORMAT TSV";

    public static string PartitionsSql(string database) =>
        $"SELECT table, partition_id, sum(rows) FROM system.parts WHERE database = {ClickHouseSql.Quote(database)} AND active GROUP BY table, partition_id ORDER BY table, partition_id FORMAT TSV";

    public static List<RetentionTable> ParseTables(string tsv)
    {
        var tables = new List<RetentionTable>();
        foreach (string line in tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] fields = line.Split('\t');
            if (fields.Length < 3)
            {
                continue;
            }

            PartitionKey? key = PartitionKey.TryParse(Unescape(fields[1]), out PartitionKey parsed) ? parsed : null;
            tables.Add(new RetentionTable(Unescape(fields[0]), key, TtlClause.FromEngineFull(Unescape(fields[2]))));
        }

        return tables;
    }

    public static List<(string Table, string PartitionId, long Rows)> ParsePartitions(string tsv)
    {
        var partitions = new List<(string, string, long)>();
        foreach (string line in tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] fields = line.Split('\t');
            if (fields.Length >= 3)
            {
                partitions.Add((Unescape(fields[0]), Unescape(fields[1]), long.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return partitions;
    }

    /// <summary>Undoes TSV's escapes (<c>\\ \' \t \n</c> and the like); engine_full may quote strings.</summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            char c = field[i];
            if (c != '\\' || i + 1 == field.Length)
            {
                text.Append(c);
                continue;
            }

            char next = field[++i];
            text.Append(next switch
            {
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                '0' => '\0',
                'b' => '\b',
                'f' => '\f',
                _ => next,
            });
        }

        return text.ToString();
    }
}
