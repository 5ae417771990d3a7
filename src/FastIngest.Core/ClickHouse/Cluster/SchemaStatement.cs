using System.Text.RegularExpressions;

namespace FastIngest.Core.ClickHouse.Cluster;

/// <summary>One statement of schema.sql, told apart by what it creates (see <see cref="ClusterSchema"/>).</summary>
internal sealed partial class SchemaStatement
{
    private SchemaStatement(string text, SchemaStatementKind kind, string name, string columns, int engineAt)
    {
        Text = text;
        Kind = kind;
        Name = name;
        Columns = columns;
        EngineAt = engineAt;
    }

    public string Text { get; }

    public SchemaStatementKind Kind { get; }

    /// <summary>The object's name without its database.</summary>
    public string Name { get; }

    /// <summary>A table's column list with its parentheses, as written; empty for anything else.</summary>
    public string Columns { get; }

    /// <summary>Where a table's <c>ENGINE</c> clause starts in <see cref="Text"/>; -1 for anything else.</summary>
    public int EngineAt { get; }

    /// <summary>Reads a statement of <paramref name="database"/>; throws for a kind the cluster schema does not place.</summary>
    public static SchemaStatement Parse(string statement, string database)
    {
        Match head = Head().Match(statement);
        string qualifier = head.Groups["db"].Success ? head.Groups["db"].Value : head.Groups["name"].Value;
        if (!head.Success || !string.Equals(qualifier, database, StringComparison.Ordinal))
        {
            throw new NotSupportedException(
                $"clickhouse/schema.sql: the cluster schema places CREATE DATABASE, CREATE TABLE and CREATE MATERIALIZED VIEW of {database} only, not: {statement.Split('\n')[0]}");
        }

        string what = head.Groups["what"].Value.ToUpperInvariant();
        string name = head.Groups["name"].Value;
        if (what == "DATABASE")
        {
            return new SchemaStatement(statement, SchemaStatementKind.Database, name, "", -1);
        }

        if (what != "TABLE")
        {
            // A view with an inner table (ENGINE … instead of TO) would need that table replicated too.
            if (!ViewTarget().IsMatch(statement[head.Length..]))
            {
                throw new NotSupportedException($"clickhouse/schema.sql: materialized view {name} must write TO a table of its own");
            }

            return new SchemaStatement(statement, SchemaStatementKind.MaterializedView, name, "", -1);
        }

        int open = statement.IndexOf('(', head.Length);
        if (open < 0 || statement[head.Length..open].Trim().Length != 0)
        {
            throw new NotSupportedException($"clickhouse/schema.sql: table {name} has no column list (AS another table is not placed): {statement.Split('\n')[0]}");
        }

        int close = ClosingParenthesis(statement, open);
        Match engine = Engine().Match(statement, close + 1);
        if (!engine.Success)
        {
            throw new NotSupportedException($"clickhouse/schema.sql: table {name} names no ENGINE");
        }

        SchemaStatementKind kind = string.Equals(engine.Groups["engine"].Value, "Null", StringComparison.OrdinalIgnoreCase)
            ? SchemaStatementKind.Door
            : SchemaStatementKind.StoredTable;
        return new SchemaStatement(statement, kind, name, statement[open..(close + 1)], engine.Index);
    }

    /// <summary>The index of the parenthesis that closes the one at <paramref name="open"/>, skipping quoted text.</summary>
    public static int ClosingParenthesis(string text, int open)
    {
        int depth = 0;
        char quote = '\0';
        for (int i = open; i < text.Length; i++)
        {
            char c = text[i];
            if (quote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '\'' or '`' or '"')
            {
                quote = c;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && --depth == 0)
            {
                return i;
            }
        }

        throw new NotSupportedException($"clickhouse/schema.sql: unbalanced parentheses in: {text.Split('\n')[0]}");
    }

    [GeneratedRegex(
        @"^CREATE\s+(?<what>DATABASE|TABLE|MATERIALIZED\s+VIEW)\s+IF\s+NOT\s+EXISTS\s+(?:(?<db>[A-Za-z_][A-Za-z0-9_]*)\.)?(?<name>[A-Za-z_][A-Za-z0-9_]*)",
        RegexOptions.IgnoreCase)]
    private static partial Regex Head();

    [GeneratedRegex(@"^\s+TO\s", RegexOptions.IgnoreCase)]
    private static partial Regex ViewTarget();

    [GeneratedRegex(@"\bENGINE\s*=\s*(?<engine>[A-Za-z0-9_]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Engine();
}
