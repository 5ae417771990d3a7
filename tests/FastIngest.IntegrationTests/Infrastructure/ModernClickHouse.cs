using System.Diagnostics;
using System.Text;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// Modern ClickHouse (26.7) for the tests that must meet its rules (18.16 has not got them all, e.g. the
/// 100-partition limit per insert block): chDB's libchdb.so in this process, installed by
/// <c>clickhouse/chdb.sh</c> into tests/.chdb when missing, behind a <see cref="ChDbHttpInterface"/> on a free
/// loopback port that the real server process talks to as to any ClickHouse.
/// </summary>
/// <remarks>chDB allows one connection per process: one fixture, one collection ("ModernClickHouse").</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync")]
public sealed class ModernClickHouse : IAsyncLifetime
{
    private TempFolder? _data;
    private ChDb? _chdb;
    private ChDbHttpInterface? _http;

    /// <summary>The HTTP interface, for <c>FastIngest:ClickHouse:Url</c>.</summary>
    public Uri HttpUri => new($"http://127.0.0.1:{_http!.Port}/");

    /// <summary>What the HTTP interface was asked, one line per request.</summary>
    public IEnumerable<string> Requests => _http!.Requests;

    public async Task InitializeAsync()
    {
        string library = await EnsureInstalledAsync();
        _data = new TempFolder("chdb");
        Directory.CreateDirectory(_data.Combine("bodies"));
        _chdb = new ChDb(library, _data.Combine("db"));
        _http = new ChDbHttpInterface(_chdb, FreePorts.Tcp(), _data.Combine("bodies"));
    }

    public async Task DisposeAsync()
    {
        if (_http is not null)
        {
            await _http.DisposeAsync();
        }

        _chdb?.Dispose();
        _data?.Dispose();
    }

    /// <summary>Runs one statement in chDB directly; the output as text (a FORMAT clause says how), or throws with ClickHouse's error.</summary>
    public string Query(string sql)
    {
        (byte[] output, string? error) = _chdb!.Query(sql, "TSV");
        return error is null ? Encoding.UTF8.GetString(output) : throw new InvalidOperationException($"chDB: {error}\nSQL: {sql}");
    }

    private static async Task<string> EnsureInstalledAsync()
    {
        var psi = new ProcessStartInfo(RepoPaths.Combine("clickhouse", "chdb.sh"), "ensure-installed")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using Process script = Process.Start(psi) ?? throw new InvalidOperationException("clickhouse/chdb.sh did not start");
        Task<string> stdout = script.StandardOutput.ReadToEndAsync();
        string stderr = await script.StandardError.ReadToEndAsync();
        await script.WaitForExitAsync();
        string path = (await stdout).Trim();
        return script.ExitCode == 0 && File.Exists(path)
            ? path
            : throw new InvalidOperationException($"clickhouse/chdb.sh ensure-installed failed ({script.ExitCode}): {stderr}");
    }
}
