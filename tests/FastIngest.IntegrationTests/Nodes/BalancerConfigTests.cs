using System.Diagnostics;
using FastIngest.IntegrationTests.Infrastructure;

namespace FastIngest.IntegrationTests.Nodes;

/// <summary>
/// The balancer configs of deploy/balancer/ pass their own program's check: NGINX 1.22 with Debian's stream
/// module (<c>nginx -t</c>) and HAProxy 2.6 (<c>haproxy -c</c>). The HAProxy file is checked as shipped; the
/// NGINX file with only its pid and error log moved into a temporary prefix (the check opens the log).
/// </summary>
[Trait("Category", "Integration")]
public sealed class BalancerConfigTests
{
    [Fact]
    public async Task TheNginxStreamConfigPassesNginxsCheck()
    {
        using var prefix = new TempFolder("balancer-check");
        string config = Path.Combine(prefix.Path, "nginx.conf");
        File.WriteAllText(config, BalancerConfigs.NginxStream(prefix.Path, 5514, 5514, [5514, 5514], [5514, 5514]));
        (int exit, string said) = await RunAsync(NginxBalancer.Nginx, "-t", "-p", prefix.Path + "/", "-c", config);
        Assert.True(exit == 0, said);
        Assert.Contains("test is successful", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHaproxyConfigPassesHaproxysCheckAsShipped()
    {
        (int exit, string said) = await RunAsync(HaproxyBalancer.Haproxy, "-c", "-f", RepoPaths.Combine("deploy", "balancer", "haproxy.cfg"));
        Assert.True(exit == 0, said);
        Assert.Contains("Configuration file is valid", said, StringComparison.Ordinal);
        Assert.DoesNotContain("[WARNING]", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABrokenConfigFailsTheCheck()
    {
        // The checks above can fail: the same NGINX check on the file without its load_module line.
        using var prefix = new TempFolder("balancer-check");
        string config = Path.Combine(prefix.Path, "nginx.conf");
        File.WriteAllText(config, BalancerConfigs.NginxStream(prefix.Path, 5514, 5514, [5514, 5514], [5514, 5514])
            .Replace("load_module", "# load_module", StringComparison.Ordinal));
        (int exit, string said) = await RunAsync(NginxBalancer.Nginx, "-t", "-p", prefix.Path + "/", "-c", config);
        Assert.NotEqual(0, exit);
        Assert.Contains("unknown directive \"stream\"", said, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Said)> RunAsync(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(psi) ?? throw new InvalidOperationException(program + " did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
