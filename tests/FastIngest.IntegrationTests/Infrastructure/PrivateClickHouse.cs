using System.Diagnostics;
using System.Text;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A private ClickHouse process for the test run, started by clickhouse/private-server.sh on free
/// loopback ports with its data under .data/, and removed afterwards. Tests isolate themselves by
/// database name, so one server serves the whole collection.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync")]
public sealed class PrivateClickHouse : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly string? _extraConfig;
    private readonly int _interserverPort;
    private string _dataDir = "";
    private string[] _ports = [];

    public PrivateClickHouse()
    {
    }

    /// <summary>
    /// A server on given ports with <paramref name="extraConfig"/> (a whole <c>&lt;yandex&gt;</c> document) as
    /// its <c>config.d/extra.xml</c>: a member of a <see cref="PrivateClickHouseCluster"/>, whose servers must
    /// know each other's ports before the first starts.
    /// </summary>
    internal PrivateClickHouse(int httpPort, int tcpPort, int interserverPort, string extraConfig)
    {
        HttpPort = httpPort;
        TcpPort = tcpPort;
        _interserverPort = interserverPort;
        _extraConfig = extraConfig;
    }

    public int HttpPort { get; private set; }

    /// <summary>The native protocol's port (what <c>remote_servers</c> and <c>remote()</c> name).</summary>
    public int TcpPort { get; private set; }

    public Uri HttpUri => new($"http://127.0.0.1:{HttpPort}/");

    public async Task InitializeAsync()
    {
        if (HttpPort == 0)
        {
            HttpPort = FreePorts.Tcp();
            TcpPort = FreePorts.Tcp();
        }

        _dataDir = RepoPaths.Combine(".data", $"test-clickhouse-{HttpPort}");
        _ports = [.. new[] { HttpPort, TcpPort, _interserverPort != 0 ? _interserverPort : FreePorts.Tcp() }.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        if (_extraConfig is not null)
        {
            // ClickHouse merges config.d/*.xml next to its config.xml, which private-server.sh renders.
            Directory.CreateDirectory(Path.Combine(_dataDir, "etc", "config.d"));
            await File.WriteAllTextAsync(Path.Combine(_dataDir, "etc", "config.d", "extra.xml"), _extraConfig);
        }

        await RunScriptAsync("ensure-installed");
        await StartAsync();
    }

    /// <summary>Starts the server (again), on the same ports and data.</summary>
    public Task StartAsync() => RunScriptAsync(["start", _dataDir, .. _ports]);

    /// <summary>Stops the server (SIGTERM, waits for it); its data stays for <see cref="StartAsync"/>.</summary>
    public Task StopAsync() => RunScriptAsync("stop", _dataDir);

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await RunScriptAsync("stop", _dataDir);
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Runs one statement over HTTP and returns the body; a ClickHouse error throws with its text.</summary>
    public async Task<string> QueryAsync(string sql)
    {
        using var content = new StringContent(sql, Encoding.UTF8);
        using HttpResponseMessage response = await _http.PostAsync(HttpUri, content);
        string body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"ClickHouse: {body}\nSQL: {sql}");
    }

    public Task ExecuteAsync(string sql) => QueryAsync(sql);

    /// <summary>Posts <paramref name="body"/> as the data of an <c>INSERT … FORMAT …</c> statement.</summary>
    public async Task InsertAsync(string insertSql, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        using HttpResponseMessage response = await _http.PostAsync(new Uri(HttpUri, "?query=" + Uri.EscapeDataString(insertSql)), content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException("ClickHouse: " + await response.Content.ReadAsStringAsync());
        }
    }

    private static async Task RunScriptAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(RepoPaths.Combine("clickhouse", "private-server.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(psi) ?? throw new InvalidOperationException("private-server.sh did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"private-server.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}
