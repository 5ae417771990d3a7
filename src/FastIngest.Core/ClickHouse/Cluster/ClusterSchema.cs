using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Core.ClickHouse.Cluster;

/// <summary>
/// The schema for a ClickHouse cluster (issue 19), derived statement by statement from
/// <c>clickhouse/schema.sql</c>, which stays the one source: a table appended there is in the cluster's
/// schema with no change here. Two parts: the local schema every server of a shard holds (the whole file in
/// the local database, <c>Replicated*MergeTree</c> when the shard has replicas), and one
/// <c>Distributed</c> table per stored table in the database every read goes through.
/// </summary>
/// <remarks>
/// Only three kinds of statement occur in schema.sql and each has one place here: <c>CREATE DATABASE</c>,
/// <c>CREATE TABLE</c> (a stored table, or a write door with the Null engine) and
/// <c>CREATE MATERIALIZED VIEW … TO</c> (on a door, so local). Anything else throws, so a new kind of
/// statement is decided here rather than copied to the wrong servers. The output runs on 18.16 and modern
/// ClickHouse alike: it adds nothing schema.sql does not already use but the engine names, which both have.
/// </remarks>
internal static partial class ClusterSchema
{
    /// <summary>The local schema for one shard's servers, from the embedded schema.sql.</summary>
    public static IReadOnlyList<string> Local(string localDatabase, bool replicated) =>
        Local(SchemaMigrator.Statements(localDatabase), localDatabase, replicated);

    /// <summary>
    /// <paramref name="statements"/> (schema.sql split, in <paramref name="localDatabase"/>) as the local schema:
    /// unchanged, or with every <c>*MergeTree</c> engine made <c>Replicated*MergeTree</c> under
    /// <c>/clickhouse/tables/{shard}/&lt;localDatabase&gt;/&lt;table&gt;</c>, replica <c>{replica}</c> (the servers' macros).
    /// </summary>
    public static IReadOnlyList<string> Local(IReadOnlyList<string> statements, string localDatabase, bool replicated)
    {
        var local = new List<string>(statements.Count);
        foreach (string statement in statements)
        {
            SchemaStatement parsed = SchemaStatement.Parse(statement, localDatabase);
            local.Add(replicated && parsed.Kind == SchemaStatementKind.StoredTable ? Replicate(parsed, localDatabase) : statement);
        }

        return local;
    }

    /// <summary>The Distributed tables (and their database) from the embedded schema.sql.</summary>
    public static IReadOnlyList<string> Distributed(string database, string cluster, string localDatabase) =>
        Distributed(SchemaMigrator.Statements(localDatabase), database, cluster, localDatabase);

    /// <summary>
    /// <c>CREATE DATABASE</c> <paramref name="database"/>, then for every stored table of
    /// <paramref name="statements"/> a table of the same name and columns there with the engine
    /// <c>Distributed(cluster, localDatabase, table)</c>. Not the write doors (FastIngest writes to a shard's
    /// local doors itself: it shards by tenant) and not the views (they run where the rows land).
    /// </summary>
    public static IReadOnlyList<string> Distributed(IReadOnlyList<string> statements, string database, string cluster, string localDatabase)
    {
        var distributed = new List<string> { $"CREATE DATABASE IF NOT EXISTS {database}" };
        foreach (string statement in statements)
        {
            SchemaStatement parsed = SchemaStatement.Parse(statement, localDatabase);
            if (parsed.Kind == SchemaStatementKind.StoredTable)
            {
                distributed.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"CREATE TABLE IF NOT EXISTS {database}.{parsed.Name}\n{parsed.Columns}\nENGINE = Distributed({cluster}, {localDatabase}, {parsed.Name})"));
            }
        }

        return distributed;
    }

    /// <summary>The same statement, run by every server of <paramref name="cluster"/> (ZooKeeper's DDL queue).</summary>
    public static string OnCluster(string statement, string cluster)
    {
        Match head = CreateHead().Match(statement);
        if (!head.Success)
        {
            throw new NotSupportedException($"Cannot add ON CLUSTER to: {FirstLine(statement)}");
        }

        return statement.Insert(head.Length, " ON CLUSTER " + cluster);
    }

    private static string Replicate(SchemaStatement table, string localDatabase)
    {
        string text = table.Text;
        Match engine = MergeTreeEngine().Match(text, table.EngineAt);
        if (!engine.Success || engine.Index != table.EngineAt)
        {
            throw new NotSupportedException($"Cannot replicate {table.Name}: its engine is not *MergeTree: {FirstLine(text[table.EngineAt..])}");
        }

        string family = engine.Groups["family"].Value;
        if (family.StartsWith("Replicated", StringComparison.Ordinal))
        {
            return text;
        }

        // The engine's own arguments (a version column, a sign) follow the path and replica name.
        int argsStart = engine.Index + engine.Length;
        string args = "";
        int end = argsStart;
        if (argsStart < text.Length && text[argsStart] == '(')
        {
            end = SchemaStatement.ClosingParenthesis(text, argsStart) + 1;
            args = text[(argsStart + 1)..(end - 1)].Trim();
        }

        var replicated = new StringBuilder(text.Length + 96);
        replicated.Append(text, 0, engine.Index)
            .Append("ENGINE = Replicated").Append(family).Append("MergeTree('/clickhouse/tables/{shard}/")
            .Append(localDatabase).Append('/').Append(table.Name).Append("', '{replica}'");
        if (args.Length > 0)
        {
            replicated.Append(", ").Append(args);
        }

        return replicated.Append(')').Append(text, end, text.Length - end).ToString();
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    [GeneratedRegex(@"^CREATE\s+(?:DATABASE|TABLE|MATERIALIZED\s+VIEW)\s+IF\s+NOT\s+EXISTS\s+[A-Za-z0-9_.]+", RegexOptions.IgnoreCase)]
    private static partial Regex CreateHead();

    [GeneratedRegex(@"ENGINE\s*=\s*(?<family>[A-Za-z]*)MergeTree\b", RegexOptions.IgnoreCase)]
    private static partial Regex MergeTreeEngine();
}
