using System.Text.RegularExpressions;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Operations;

/// <summary>
/// deploy/prometheus/alerts.yml through Debian's promtool: valid rules, and every rule's unit tests
/// (alerts.test.yml: each alert fires where it should and stays quiet where it should not).
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class AlertRulesTests
{
    internal static string Rules => RepoPaths.Combine("deploy", "prometheus", "alerts.yml");

    internal static string RuleTests => RepoPaths.Combine("deploy", "prometheus", "alerts.test.yml");

    [Fact]
    public async Task PromtoolAcceptsTheRules()
    {
        (int exit, string output) = await Promtool.RunAsync("check", "rules", Rules);

        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS: 14 rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromtoolRefusesABrokenRule()
    {
        // The check above can fail: the same file with one expression broken is refused.
        using var temp = new TempFolder("alerts");
        string broken = temp.Combine("alerts.yml");
        File.WriteAllText(broken, File.ReadAllText(Rules).Replace("fastingest_quarantined_rounds > 0", "fastingest_quarantined_rounds >", StringComparison.Ordinal));

        (int exit, string output) = await Promtool.RunAsync("check", "rules", broken);

        Assert.NotEqual(0, exit);
        Assert.Contains("FastIngestQuarantinedRounds", File.ReadAllText(broken), StringComparison.Ordinal);
        Assert.Contains("parse error", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryRulesUnitTestsPass()
    {
        (int exit, string output) = await Promtool.RunAsync("test", "rules", RuleTests);

        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryAlertHasAUnitTestThatExpectsItToFire()
    {
        string rules = File.ReadAllText(Rules);
        string tests = File.ReadAllText(RuleTests);
        string[] alerts = [.. AlertName().Matches(rules).Select(m => m.Groups[1].Value)];

        Assert.Equal(8, alerts.Length);
        foreach (string alert in alerts)
        {
            // A test of the alert with an expected alert (exp_labels) before the next alertname.
            Assert.Matches(new Regex($@"alertname: {alert}\n\s+exp_alerts:\n\s+- exp_labels", RegexOptions.None, TimeSpan.FromSeconds(1)), tests);
            Assert.Matches(new Regex($@"alertname: {alert}\n\s+exp_alerts: \[\]", RegexOptions.None, TimeSpan.FromSeconds(1)), tests);
        }
    }

    [GeneratedRegex(@"- alert: (\w+)")]
    private static partial Regex AlertName();
}
