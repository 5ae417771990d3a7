using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Syslog;

/// <summary>
/// Who may hold a TCP or TLS syslog connection: Kestrel connection middleware in front of
/// <see cref="TcpSyslogConnectionHandler"/> (and in front of TLS, so a refused peer never costs a
/// handshake). A connection is closed at accept when its source is outside
/// <see cref="SyslogOptions.AllowedSources"/>, when <see cref="SyslogOptions.TcpMaxConnections"/> are
/// open, or when its address already holds <see cref="SyslogOptions.MaxConnectionsPerAddress"/>.
/// </summary>
/// <remarks>
/// The per-address table holds only addresses with an open connection (an entry leaves when its count
/// drops to 0), so it never has more than <see cref="SyslogOptions.TcpMaxConnections"/> entries. One
/// lock, taken twice per connection, never per frame.
/// </remarks>
internal sealed partial class TcpSyslogAdmission(IOptions<SyslogOptions> options, SourceFence fence, ILogger<TcpSyslogAdmission> logger)
{
    private readonly SyslogOptions _options = options.Value;
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private int _open;
    private long _connections;
    private long _refusedSource;
    private long _refusedConnections;
    private long _refusedPerAddress;

    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>Connections accepted by the socket, admitted or not.</summary>
    public long Connections => Volatile.Read(ref _connections);

    /// <summary>Addresses holding at least one connection: the size of the per-address table.</summary>
    public int Addresses
    {
        get
        {
            lock (_perAddress)
            {
                return _perAddress.Count;
            }
        }
    }

    /// <summary>Closed at accept: source outside AllowedSources.</summary>
    public long RefusedSource => Volatile.Read(ref _refusedSource);

    /// <summary>Closed at accept: TcpMaxConnections open.</summary>
    public long RefusedConnections => Volatile.Read(ref _refusedConnections);

    /// <summary>Closed at accept: the address holds MaxConnectionsPerAddress.</summary>
    public long RefusedPerAddress => Volatile.Read(ref _refusedPerAddress);

    /// <summary>The middleware: admits the connection to <paramref name="next"/>, or returns (Kestrel then closes it).</summary>
    public ConnectionDelegate Use(ConnectionDelegate next) => connection => AdmitAsync(connection, next);

    private async Task AdmitAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        Interlocked.Increment(ref _connections);
        IPAddress? address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (address is { IsIPv4MappedToIPv6: true })
        {
            // One key per host whichever socket family it came in on.
            address = address.MapToIPv4();
        }

        if (address is not null && !fence.Admits(address))
        {
            Interlocked.Increment(ref _refusedSource);
            Log.RefusedSource(logger, connection.RemoteEndPoint);
            return;
        }

        if (Interlocked.Increment(ref _open) > _options.TcpMaxConnections)
        {
            Interlocked.Decrement(ref _open);
            Interlocked.Increment(ref _refusedConnections);
            Log.RefusedConnections(logger, connection.RemoteEndPoint, _options.TcpMaxConnections);
            return;
        }

        if (address is not null && !TryTakeAddressSlot(address))
        {
            Interlocked.Decrement(ref _open);
            Interlocked.Increment(ref _refusedPerAddress);
            Log.RefusedPerAddress(logger, connection.RemoteEndPoint, _options.MaxConnectionsPerAddress);
            return;
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            if (address is not null)
            {
                ReleaseAddressSlot(address);
            }

            Interlocked.Decrement(ref _open);
        }
    }

    private bool TryTakeAddressSlot(IPAddress address)
    {
        lock (_perAddress)
        {
            _perAddress.TryGetValue(address, out int open);
            if (open >= _options.MaxConnectionsPerAddress)
            {
                return false;
            }

            _perAddress[address] = open + 1;
            return true;
        }
    }

    private void ReleaseAddressSlot(IPAddress address)
    {
        lock (_perAddress)
        {
            int open = _perAddress[address] - 1;
            if (open == 0)
            {
                _perAddress.Remove(address);
            }
            else
            {
                _perAddress[address] = open;
            }
        }
    }

    private static partial class Log
    {
        // Syslog owns EventIds 100-199; TCP admission 110 and 120-129, next free: 123.
        // Refusals are Debug: a flood would otherwise write a line per connection. /metrics counts them.
        [LoggerMessage(120, LogLevel.Debug, "TCP syslog connection from {RemoteEndPoint} refused: not in FastIngest:Syslog:AllowedSources")]
        public static partial void RefusedSource(ILogger logger, EndPoint? remoteEndPoint);

        [LoggerMessage(110, LogLevel.Warning, "TCP syslog connection from {RemoteEndPoint} refused: {Max} connections are open (FastIngest:Syslog:TcpMaxConnections)")]
        public static partial void RefusedConnections(ILogger logger, EndPoint? remoteEndPoint, int max);

        [LoggerMessage(122, LogLevel.Debug, "TCP syslog connection from {RemoteEndPoint} refused: the address holds {Max} connections (FastIngest:Syslog:MaxConnectionsPerAddress)")]
        public static partial void RefusedPerAddress(ILogger logger, EndPoint? remoteEndPoint, int max);
    }
}
