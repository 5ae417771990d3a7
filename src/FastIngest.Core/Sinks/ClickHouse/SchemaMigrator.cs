using System.Text;
using System.Text.RegularExpressions;
using ClickHouse.Driver;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// Applies <c>clickhouse/schema.sql</c> (embedded at build time) one statement at a time, since the HTTP
/// interface takes one statement per request. Every statement is <c>IF NOT EXISTS</c>, so this runs at
/// each start.
/// </summary>
internal static partial class SchemaMigrator
{
    public const string ResourceName = "FastIngest.Core.schema.sql";

    public static IReadOnlyList<string> Statements(string database)
    {
        using Stream stream = typeof(SchemaMigrator).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Split(reader.ReadToEnd(), database);
    }

    /// <summary>Drops <c>--</c> comment lines, splits on ';' at line ends, renames the database.</summary>
    public static IReadOnlyList<string> Split(string script, string database)
    {
        var statements = new List<string>();
        var current = new StringBuilder();
        foreach (string rawLine in script.Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            if (line.TrimStart().StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            current.AppendLine(line);
            if (line.TrimEnd().EndsWith(';'))
            {
                AddStatement(statements, current, database);
            }
        }

        AddStatement(statements, current, database);
        return statements;
    }

    public static async Task ApplyAsync(ClickHouseClient client, string database, CancellationToken cancellationToken)
    {
        foreach (string statement in Statements(database))
        {
            await client.ExecuteNonQueryAsync(statement, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private static void AddStatement(List<string> statements, StringBuilder current, string database)
    {
        string statement = current.ToString().Trim().TrimEnd(';').Trim();
        current.Clear();
        if (statement.Length == 0)
        {
            return;
        }

        if (database != "fastingest")
        {
            statement = DatabaseName().Replace(statement, database);
        }

        statements.Add(statement);
    }

    [GeneratedRegex(@"\bfastingest\b(?=\s*(\.|;|$))", RegexOptions.Multiline)]
    private static partial Regex DatabaseName();
}
