using System.Text.RegularExpressions;
using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Tests.Sinks.ClickHouse;

/// <summary>The rules the rollups' views keep so the ledger stays the truth (docs/delivery-guarantees.md).</summary>
public sealed partial class RollupSchemaTests
{
    private static readonly IReadOnlyList<string> s_statements = SchemaMigrator.Statements("fastingest");

    public static TheoryData<string, string> Rollups => new()
    {
        { "traffic_1h", "traffic_1m_in" }, { "traffic_1d", "traffic_1m_in" },
        { "status_1h", "status_1m_in" }, { "status_1d", "status_1m_in" },
        { "pixel_1h", "pixel_1m_in" }, { "pixel_1d", "pixel_1m_in" },
        { "events_1h", "events_1m_in" }, { "events_1d", "events_1m_in" },
        { "paths_1d", "paths_1h_in" },
    };

    [Theory]
    [MemberData(nameof(Rollups))]
    public void EachRollupHasOneViewOnTheWriteDoorNamedAfterItsLedgerView(string rollup, string door)
    {
        var views = s_statements.Select(s => View().Match(s)).Where(m => m.Success && m.Groups["target"].Value == rollup).ToList();
        Match view = Assert.Single(views);
        // Fed by the door itself, never by another view's target: chained views don't fire reliably on 18.16.
        Assert.Equal(door, view.Groups["source"].Value);
        // 18.16 runs a door's views by name: the ledger's must stay first (see "What the ledger can prove").
        Assert.True(string.CompareOrdinal(door + "_ledger", view.Groups["name"].Value) < 0, view.Groups["name"].Value);
        Assert.StartsWith(door + "_mv_", view.Groups["name"].Value, StringComparison.Ordinal);
        Assert.Contains(s_statements, s => s.StartsWith($"CREATE TABLE IF NOT EXISTS fastingest.{rollup}\n", StringComparison.Ordinal)
            && s.Contains($"PARTITION BY toYYYYMM({(rollup.EndsWith("_1d", StringComparison.Ordinal) ? "day" : "hour")})", StringComparison.Ordinal));
    }

    [Fact]
    public void OnlyTheLedgerViewsWriteTheLedger()
    {
        var ledgerViews = s_statements.Select(s => View().Match(s)).Where(m => m.Success && m.Groups["target"].Value == "insert_ledger").ToList();
        Assert.NotEmpty(ledgerViews);
        Assert.All(ledgerViews, m => Assert.Equal(m.Groups["source"].Value + "_ledger", m.Groups["name"].Value));
    }

    [GeneratedRegex(@"^CREATE MATERIALIZED VIEW IF NOT EXISTS fastingest\.(?<name>\w+) TO fastingest\.(?<target>\w+)\s.*?FROM fastingest\.(?<source>\w+)", RegexOptions.Singleline)]
    private static partial Regex View();
}
