using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// Real NGINX (Debian's nginx-light) running the repository's <c>nginx/nginx.conf</c>, copied into a
/// temporary prefix with its ports moved to free ones: the shop and blog servers and the syslog target.
/// Its error log also takes notices, which say when each worker has reopened its logs.
/// </summary>
internal sealed partial class NginxProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempFolder _prefix;
    private int _reopens;

    private NginxProcess(Process process, TempFolder prefix, int shopPort, int blogPort)
    {
        _process = process;
        _prefix = prefix;
        ShopPort = shopPort;
        BlogPort = blogPort;
    }

    public string Prefix => _prefix.Path;

    public int ShopPort { get; }

    public int BlogPort { get; }

    /// <param name="syslogUdpPort">Where the config's syslog targets send.</param>
    /// <param name="edit">Changes the test makes to the repository's config after the ports are moved (another log_format, say).</param>
    public static async Task<NginxProcess> StartAsync(int syslogUdpPort, Func<string, string>? edit = null)
    {
        var prefixFolder = new TempFolder("nginx");
        string prefix = prefixFolder.Path;
        // Workers run as nobody and write the proxy cache under the prefix.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(prefix, (UnixFileMode)0b111_111_111);
        }
        int shop = FreePorts.Tcp(), blog = FreePorts.Tcp(), origin = FreePorts.Tcp();
        string config = File.ReadAllText(RepoPaths.Combine("nginx", "nginx.conf"))
            .Replace("127.0.0.1:5514", $"127.0.0.1:{syslogUdpPort}", StringComparison.Ordinal)
            .Replace("listen 8088;", $"listen 127.0.0.1:{shop};", StringComparison.Ordinal)
            .Replace("listen 8089;", $"listen 127.0.0.1:{blog};", StringComparison.Ordinal)
            .Replace("127.0.0.1:8090", $"127.0.0.1:{origin}", StringComparison.Ordinal)
            .Replace("error_log error.log;", "error_log error.log notice;", StringComparison.Ordinal);
        Assert.Contains($"server=127.0.0.1:{syslogUdpPort}", config, StringComparison.Ordinal);
        Assert.Contains("error_log error.log notice;", config, StringComparison.Ordinal);
        Assert.Contains($"listen 127.0.0.1:{blog};", config, StringComparison.Ordinal);
        config = edit?.Invoke(config) ?? config;
        File.Copy(RepoPaths.Combine("nginx", "fastingest-log-format.conf"), Path.Combine(prefix, "fastingest-log-format.conf"));
        return await LaunchAsync(prefixFolder, config, shop, blog);
    }

    /// <summary>
    /// NGINX with a config of the test's own (an operator's, not the repository's): <paramref name="config"/>
    /// gets the prefix and three free ports, for a shop server, a blog server (probed until it answers
    /// <c>/robots.txt</c>, which is logged) and an origin; its error log must take notices.
    /// </summary>
    public static async Task<NginxProcess> StartAsync(Func<(string Prefix, int Shop, int Blog, int Origin), string> config)
    {
        var prefixFolder = new TempFolder("nginx");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(prefixFolder.Path, (UnixFileMode)0b111_111_111);
        }

        int shop = FreePorts.Tcp(), blog = FreePorts.Tcp(), origin = FreePorts.Tcp();
        return await LaunchAsync(prefixFolder, config((prefixFolder.Path, shop, blog, origin)), shop, blog);
    }

    private static async Task<NginxProcess> LaunchAsync(TempFolder prefixFolder, string config, int shop, int blog)
    {
        string prefix = prefixFolder.Path;
        File.WriteAllText(Path.Combine(prefix, "nginx.conf"), config);
        string nginx = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
        var psi = new ProcessStartInfo(nginx) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "-p", prefix + "/", "-c", Path.Combine(prefix, "nginx.conf"), "-g", "daemon off;" })
        {
            psi.ArgumentList.Add(arg);
        }

        Process process = Process.Start(psi) ?? throw new InvalidOperationException("nginx did not start");
        var server = new NginxProcess(process, prefixFolder, shop, blog);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        try
        {
            // The probe is logged too, to the file and over syslog alike: tests compare both.
            await Eventually.UntilAsync(
                async () =>
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException("nginx exited: " + await process.StandardError.ReadToEndAsync());
                    }

                    try
                    {
                        using HttpResponseMessage _ = await http.GetAsync(new Uri($"http://127.0.0.1:{blog}/robots.txt"));
                        return null;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        return e.Message;
                    }
                },
                (string? error) => error is null, TimeSpan.FromSeconds(10), $"nginx to answer on 127.0.0.1:{blog}");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string[] AccessLogLines(string server) =>
        File.Exists(Path.Combine(Prefix, $"access.{server}.log"))
            ? File.ReadAllLines(Path.Combine(Prefix, $"access.{server}.log"))
            : [];

    /// <summary>
    /// NGINX writes a request's log line in its log phase, after the response has gone out, so a client can see its
    /// last response before that line is in the file: wait until the file holds at least <paramref name="count"/>.
    /// </summary>
    public async Task<string[]> AccessLogLinesAsync(string server, int count)
    {
        await Eventually.UntilAsync(() => AccessLogLines(server).Length, lines => lines >= count, TimeSpan.FromSeconds(10),
            $"access.{server}.log to hold {count} lines");
        return AccessLogLines(server);
    }

    /// <summary>
    /// What logrotate's postrotate does: SIGUSR1 makes the master reopen its log files and tell its workers
    /// to. Returns once every worker has reopened, so that the next request is logged to the new file.
    /// </summary>
    public async Task ReopenLogsAsync()
    {
        Assert.True(Signals.User1(_process.Id), "kill(SIGUSR1) failed");
        int reopens = ++_reopens;
        // A worker notes "reopening logs" in the turn of its event loop that reopens them, before it handles
        // another request.
        await Eventually.UntilAsync(
            () =>
            {
                string[] log = File.ReadAllLines(Path.Combine(Prefix, "error.log"));
                string[] workers = [.. log.Select(l => WorkerStarted().Match(l)).Where(m => m.Success).Select(m => m.Groups["pid"].Value)];
                int reopened = workers.Count(pid => log.Count(l => l.Contains($"] {pid}#", StringComparison.Ordinal) && l.EndsWith(": reopening logs", StringComparison.Ordinal)) >= reopens);
                return (Workers: workers.Length, Reopened: reopened);
            },
            workers => workers.Workers > 0 && workers.Reopened == workers.Workers, TimeSpan.FromSeconds(10),
            $"every NGINX worker to reopen its logs for the {reopens}. time (workers, workers reopened)");
    }

    [GeneratedRegex(@"start worker process (?<pid>\d+)$")]
    private static partial Regex WorkerStarted();

    public async ValueTask DisposeAsync()
    {
        await ForegroundProcess.StopAsync(_process);
        _prefix.Dispose();
    }
}
