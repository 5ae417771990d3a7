using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// The part of ClickHouse's HTTP interface FastIngest's driver uses, on loopback, answered by chDB: so the
/// real server process can point <c>FastIngest:ClickHouse:Url</c> at ClickHouse 26.7.
/// </summary>
/// <remarks>
/// <para>A query comes in the <c>query</c> URL parameter, in the body, or both (then ClickHouse joins
/// them); it runs through chDB in the <c>default_format</c> the driver asks for (a <c>FORMAT</c> clause in the
/// query wins, as in ClickHouse). <c>INSERT INTO t (cols) FORMAT RowBinary</c> with a body is the one
/// exception: chDB takes no data with a query, so the body goes to a file and the insert becomes
/// <c>INSERT INTO t (cols) SELECT * FROM file(…, 'RowBinary', '&lt;cols and their types&gt;')</c>, one block,
/// with the column types read from <c>system.columns</c>. A gzip or deflate body is inflated first.</para>
/// <para>An error answers 500 with ClickHouse's own text (<c>Code: 252. DB::Exception: Too many partitions
/// …</c>) and its code in <c>X-ClickHouse-Exception-Code</c>, as ClickHouse does. Settings other than
/// <c>default_format</c> (the query id, <c>max_insert_block_size</c>) are logged in
/// <see cref="Requests"/> and not applied.</para>
/// </remarks>
internal sealed partial class ChDbHttpInterface : IAsyncDisposable
{
    private readonly ChDb _chdb;
    private readonly string _bodies;
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, string> _structures = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private long _bodyFiles;

    public ChDbHttpInterface(ChDb chdb, int port, string bodiesFolder)
    {
        _chdb = chdb;
        _bodies = bodiesFolder;
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>What was asked, one line per request: the settings' names, then the query's head.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        HttpListenerResponse response = context.Response;
        try
        {
            (int status, byte[] body, string? code) = await AnswerAsync(context.Request);
            response.StatusCode = status;
            if (code is not null)
            {
                response.Headers["X-ClickHouse-Exception-Code"] = code;
            }

            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body);
        }
        catch (Exception ex)
        {
            Requests.Enqueue("shim failure: " + ex);
            response.StatusCode = 500;
        }
        finally
        {
            response.Close();
        }
    }

    private async Task<(int Status, byte[] Body, string? Code)> AnswerAsync(HttpListenerRequest request)
    {
        if (request.Url?.AbsolutePath == "/ping")
        {
            return (200, "Ok.\n"u8.ToArray(), null);
        }

        byte[] body = await ReadBodyAsync(request);
        string? query = request.QueryString["query"];
        string format = request.QueryString["default_format"] ?? "TabSeparated";
        var settings = string.Join('&', request.QueryString.AllKeys.Where(k => k is not null and not "query").Select(k => k + "=" + request.QueryString[k]));
        string head = query ?? Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 160));
        Requests.Enqueue($"{request.HttpMethod} [{settings}] enc={request.Headers["Content-Encoding"] ?? "-"} body={body.Length} B: {OneLine(head)}");

        (byte[] Output, string? Error) result;
        if (query is not null && InsertRowBinary().Match(query) is { Success: true } insert)
        {
            result = InsertRowBinary(insert.Groups["table"].Value, insert.Groups["columns"].Value, body);
        }
        else
        {
            string sql = query is null ? Encoding.UTF8.GetString(body) : body.Length == 0 ? query : query + "\n" + Encoding.UTF8.GetString(body);
            result = _chdb.Query(sql, format);
        }

        if (result.Error is null)
        {
            return (200, result.Output, null);
        }

        Match code = ErrorCode().Match(result.Error);
        return (500, Encoding.UTF8.GetBytes(result.Error + "\n"), code.Success ? code.Groups[1].Value : null);
    }

    private (byte[] Output, string? Error) InsertRowBinary(string table, string columns, byte[] body)
    {
        string? structure = Structure(table, columns, out string? error);
        if (structure is null)
        {
            return ([], error);
        }

        string file = Path.Combine(_bodies, Interlocked.Increment(ref _bodyFiles).ToString(CultureInfo.InvariantCulture) + ".rowbinary");
        File.WriteAllBytes(file, body);
        try
        {
            return _chdb.Query($"INSERT INTO {table} ({columns}) SELECT * FROM file({Quote(file)}, 'RowBinary', {Quote(structure)})", "TabSeparated");
        }
        finally
        {
            File.Delete(file);
        }
    }

    // "tenant String, minute DateTime('UTC'), …" for the insert's columns, in its order.
    private string? Structure(string table, string columns, out string? error)
    {
        error = null;
        if (_structures.TryGetValue(table + "|" + columns, out string? known))
        {
            return known;
        }

        string[] parts = table.Split('.');
        string database = parts.Length == 2 ? parts[0] : "default";
        (byte[] output, error) = _chdb.Query(
            $"SELECT name, type FROM system.columns WHERE database = {Quote(database)} AND table = {Quote(parts[^1])} FORMAT TSV", "TSV");
        if (error is not null)
        {
            return null;
        }

        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] fields = line.Split('\t');
            types[fields[0]] = fields[1].Replace("\\'", "'", StringComparison.Ordinal);
        }

        var structure = new StringBuilder();
        foreach (string column in columns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!types.TryGetValue(column, out string? type))
            {
                error = $"Code: 16. DB::Exception: No such column {column} in table {table}. (NO_SUCH_COLUMN_IN_TABLE) [shim]";
                return null;
            }

            structure.Append(structure.Length == 0 ? "" : ", ").Append(column).Append(' ').Append(type);
        }

        return _structures[table + "|" + columns] = structure.ToString();
    }

    private static async Task<byte[]> ReadBodyAsync(HttpListenerRequest request)
    {
        Stream input = request.InputStream;
        string? encoding = request.Headers["Content-Encoding"];
        await using Stream decoded = encoding switch
        {
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            "deflate" => new ZLibStream(input, CompressionMode.Decompress),
            null or "" => input,
            _ => throw new NotSupportedException("Content-Encoding " + encoding),
        };
        using var body = new MemoryStream();
        await decoded.CopyToAsync(body);
        return body.ToArray();
    }

    private static string Quote(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string OneLine(string text)
    {
        string line = string.Join(' ', text.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return line.Length > 160 ? line[..160] + "…" : line;
    }

    [GeneratedRegex(@"^\s*INSERT\s+INTO\s+(?<table>[A-Za-z0-9_.]+)\s*\((?<columns>[^)]*)\)\s*FORMAT\s+RowBinary\s*$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex InsertRowBinary();

    [GeneratedRegex(@"^Code: (\d+)\.")]
    private static partial Regex ErrorCode();
}
