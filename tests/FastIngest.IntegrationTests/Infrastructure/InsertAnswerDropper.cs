using System.Net;
using System.Net.Sockets;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP proxy in front of ClickHouse's HTTP port that, for every <c>every</c>-th INSERT, lets ClickHouse
/// take the whole request and answer it, then cuts the client's connection instead of passing the answer
/// on. The client can't tell whether its insert happened: the fault exactly-once delivery must survive.
/// </summary>
internal sealed class InsertAnswerDropper : IAsyncDisposable
{
    private static readonly byte[] s_insert = "INSERT"u8.ToArray();

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _clickHousePort;
    private readonly int _every;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _inserts;
    private long _dropped;

    public InsertAnswerDropper(int clickHousePort, int every)
    {
        _clickHousePort = clickHousePort;
        _every = every;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public long Inserts => Interlocked.Read(ref _inserts);

    /// <summary>Answers ClickHouse gave to inserts it had taken, which the client never got.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

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

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ProxyAsync(client));
        }
    }

    private async Task ProxyAsync(TcpClient client)
    {
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
                connection.DropAnswer = Interlocked.Increment(ref _inserts) % _every == 0;
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
                client.Client.LingerState = new LingerOption(true, 0);
                client.Close();
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
