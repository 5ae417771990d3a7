using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP proxy in front of ClickHouse's HTTP port that a test can close and open again: while closed,
/// every connection (those open at the time too) is reset, so ClickHouse is unreachable for the server
/// while it stays up for the test's own queries.
/// </summary>
internal sealed class ClickHouseGate : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _clickHousePort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpClient, bool> _connections = new();
    private readonly Task _accepting;
    private volatile bool _closed;

    public ClickHouseGate(int clickHousePort)
    {
        _clickHousePort = clickHousePort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Resets every connection through the gate and refuses new ones until <see cref="Open"/>.</summary>
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
                await Task.WhenAny(PumpAsync(client.GetStream(), server.GetStream()), PumpAsync(server.GetStream(), client.GetStream()));
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

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }
}
