using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP proxy in front of ClickHouse's HTTP port, for the faults exactly-once delivery must survive:
/// <list type="bullet">
/// <item>with <c>dropEveryInsertAnswer</c> N, every N-th INSERT is passed to ClickHouse whole and answered,
/// then the client's connection is cut instead of passing the answer on: the client can't tell whether its
/// insert happened;</item>
/// <item><see cref="Close"/> resets every connection (those open at the time too) and refuses new ones
/// until <see cref="Open"/>: ClickHouse is unreachable for the server while it stays up for the test's own
/// queries.</item>
/// </list>
/// </summary>
internal sealed class ClickHouseProxy : IAsyncDisposable
{
    private static readonly byte[] s_insert = "INSERT"u8.ToArray();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _clickHousePort;
    private readonly int _dropEvery;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpClient, bool> _connections = new();
    private readonly Task _accepting;
    private volatile bool _closed;
    private long _inserts;
    private long _dropped;

    /// <param name="clickHousePort">ClickHouse's HTTP port.</param>
    /// <param name="dropEveryInsertAnswer">Cut the answer of every N-th INSERT; 0 passes every answer on.</param>
    public ClickHouseProxy(int clickHousePort, int dropEveryInsertAnswer = 0)
    {
        _clickHousePort = clickHousePort;
        _dropEvery = dropEveryInsertAnswer;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Inserts => Interlocked.Read(ref _inserts);

    /// <summary>Answers ClickHouse gave to inserts it had taken, which the client never got.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Resets every connection through the proxy and refuses new ones until <see cref="Open"/>.</summary>
    public void Close()
    {
        _closed = true;
        foreach (TcpClient client in _connections.Keys)
        {
            Reset(client);
        }
    }

    public void Open() => _closed = false;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        foreach (TcpClient client in _connections.Keys)
        {
            Reset(client);
        }

        _stop.Dispose();
    }

    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            if (_closed)
            {
                Reset(client);
                continue;
            }

            _ = Task.Run(() => ProxyAsync(client));
        }
    }

    private async Task ProxyAsync(TcpClient client)
    {
        _connections[client] = true;
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _clickHousePort, _stop.Token);
                var connection = new Connection();
                Task up = PumpUpAsync(client.GetStream(), server.GetStream(), connection);
                Task down = PumpDownAsync(server.GetStream(), client.GetStream(), connection, client);
                await Task.WhenAny(up, down);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
            finally
            {
                _connections.TryRemove(client, out _);
            }
        }
    }

    /// <summary>Client to ClickHouse, as is; notes whether the request now going up is an INSERT to drop.</summary>
    private async Task PumpUpAsync(NetworkStream from, NetworkStream to, Connection connection)
    {
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            // The statement is in the request line (?query=INSERT ...), at the start of a request's bytes.
            if (buffer.AsSpan(0, read).IndexOf(s_insert) >= 0)
            {
                long insert = Interlocked.Increment(ref _inserts);
                connection.DropAnswer = _dropEvery > 0 && insert % _dropEvery == 0;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    /// <summary>ClickHouse to client, unless the answer belongs to an insert to drop: then cut the client off.</summary>
    private async Task PumpDownAsync(NetworkStream from, NetworkStream to, Connection connection, TcpClient client)
    {
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (connection.DropAnswer)
            {
                // ClickHouse answers an INSERT once it has written it: the rows are in, the client won't know.
                Interlocked.Increment(ref _dropped);
                Reset(client);
                return;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    private sealed class Connection
    {
        public volatile bool DropAnswer;
    }
}
