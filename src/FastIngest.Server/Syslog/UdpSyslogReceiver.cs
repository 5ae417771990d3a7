using System.Net;
using System.Net.Sockets;
using FastIngest.Core.Aggregation;
using FastIngest.Server.Infrastructure;
using FastIngest.Server.Syslog.Interop;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Syslog;

/// <summary>
/// UDP syslog: one datagram is one message. <see cref="SyslogOptions.UdpReceivers"/> sockets share the
/// port through <c>SO_REUSEPORT</c> (the kernel spreads senders over them by address and port), each with
/// the configured kernel buffer and its own <see cref="UdpReceiveLoop"/> thread and batch writer. With
/// <see cref="SyslogOptions.ReusePort"/> the group also takes in other processes' sockets on the port.
/// </summary>
/// <remarks>
/// On Linux each loop reads up to 64 datagrams per <c>recvmmsg(2)</c>, as rsyslog's imudp does, where the
/// loop before issue 15 paid a <c>recvfrom</c>, an <c>ioctl(FIONREAD)</c> and a clock read per datagram.
/// Elsewhere one socket and the portable <c>ReceiveFrom</c> loop.
/// </remarks>
internal sealed partial class UdpSyslogReceiver : IIngestSource, IDisposable
{
    private readonly SyslogOptions _options;
    private readonly IngestPipeline _pipeline;
    private readonly ILogger<UdpSyslogReceiver> _logger;
    private readonly SourceFence _fence;
    private readonly SyslogFormats _formats;
    private UdpReceiveLoop[] _loops = [];
    private IPEndPoint? _localEndPoint;

    public UdpSyslogReceiver(IOptions<SyslogOptions> options, IngestPipeline pipeline, SourceFence fence, ILogger<UdpSyslogReceiver> logger, SyslogFormats? formats = null)
    {
        _formats = formats ?? SyslogFormats.None;
        _options = options.Value;
        _pipeline = pipeline;
        _fence = fence;
        _logger = logger;
    }

    /// <summary>Datagrams read by every socket (refused sources not included).</summary>
    public long Datagrams => Sum(static loop => loop.Datagrams);

    public long Bytes => Sum(static loop => loop.Bytes);

    /// <summary>Datagrams dropped unread: their sender is outside <see cref="SyslogOptions.AllowedSources"/>.</summary>
    public long RefusedSource => Sum(static loop => loop.RefusedSource);

    /// <summary>The bound endpoint, shared by every socket (useful when configured with port 0).</summary>
    public IPEndPoint? LocalEndPoint => _localEndPoint;

    /// <summary>The receive loops, one per socket (empty before start or with UDP off).</summary>
    public IReadOnlyList<UdpReceiveLoop> Loops => _loops;

    /// <summary>Whether the loops read with <c>recvmmsg</c>: Linux only.</summary>
    public static bool Batched => OperatingSystem.IsLinux();

    public void Start()
    {
        if (_options.UdpPort == 0)
        {
            return;
        }

        IPAddress address = IPAddress.Parse(_options.BindAddress);
        int count = Batched ? _options.EffectiveUdpReceivers : 1;
        var sockets = new Socket[count];
        int port = _options.UdpPort;
        int bound = 0;
        try
        {
            // With ReusePort the group is meant to be shared with other FastIngest processes: no probe.
            bool shared = count > 1 || _options.ReusePort;
            if (count > 1 && !_options.ReusePort)
            {
                port = ProbeExclusive(address, port);
            }

            for (; bound < count; bound++)
            {
                sockets[bound] = Bind(address, port, shared);
                // Port 0 picks one for the first socket; the others join it.
                port = ((IPEndPoint)sockets[bound].LocalEndPoint!).Port;
            }
        }
        catch (SocketException ex)
        {
            for (int i = 0; i < bound; i++)
            {
                sockets[i].Dispose();
            }

            // Named, so the start fails with one line an operator can act on (Hosting/StartupFailure).
            throw new StartupException($"{SyslogOptions.SectionName}:UdpPort: cannot listen on UDP {address}:{_options.UdpPort}: {ex.Message}", ex);
        }

        var loops = new UdpReceiveLoop[count];
        for (int i = 0; i < count; i++)
        {
            loops[i] = new UdpReceiveLoop(i, sockets[i], _options.MaxMessageBytes, _pipeline, _fence, _formats, _logger);
        }

        _localEndPoint = (IPEndPoint)sockets[0].LocalEndPoint!;
        _loops = loops;
        Log.Listening(_logger, _localEndPoint, sockets[0].ReceiveBufferSize, count, Batched ? "recvmmsg" : "recvfrom", _options.ReusePort);
        foreach (UdpReceiveLoop loop in loops)
        {
            loop.Start(Batched);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        var stopped = new Task[_loops.Length];
        for (int i = 0; i < _loops.Length; i++)
        {
            _loops[i].Stop();
            stopped[i] = _loops[i].Stopped;
        }

        return Task.WhenAll(stopped).WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        // Disposed without a stop when the host fails to start after this source started (a port
        // Kestrel wanted was taken): the loops then end quietly instead of reporting a failure.
        foreach (UdpReceiveLoop loop in _loops)
        {
            loop.Abort();
        }
    }

    /// <summary>
    /// Binds and closes a socket without <c>SO_REUSEPORT</c> on the group's address and port; returns the
    /// port (the one the kernel picked when <paramref name="port"/> is 0).
    /// </summary>
    /// <remarks>
    /// Linux lets any socket of the same user with <c>SO_REUSEPORT</c> join a group: a second FastIngest (or
    /// a stale one) on the same port would silently take a share of the datagrams instead of failing as a
    /// single socket does. A socket without the option cannot bind while anyone holds the port, so this bind
    /// fails with "address already in use" exactly when the group's would have been shared. The race left:
    /// another process binding the port between this close and the group's binds (microseconds) joins or
    /// takes it as before; two servers started in the same instant on one port are not told apart.
    /// </remarks>
    private static int ProbeExclusive(IPAddress address, int port)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(address, port));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private Socket Bind(IPAddress address, int port, bool shared)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (shared)
            {
                // Set before bind on every socket of the group; the kernel then hashes each sender's
                // (address, port) to one of them, so one sender's datagrams stay in order on one loop.
                LibC.SetReusePort(socket);
            }

            SetReceiveBuffer(socket, _options.UdpReceiveBufferBytes);
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void SetReceiveBuffer(Socket socket, int bytes)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // SO_RCVBUFFORCE: root only; ignores net.core.rmem_max.
                socket.SetRawSocketOption(LibC.SolSocket, LibC.SoRcvBufForce, BitConverter.GetBytes(bytes));
                return;
            }
            catch (SocketException)
            {
                // Not root: fall back to SO_RCVBUF, which the kernel caps at net.core.rmem_max.
            }
        }

        socket.ReceiveBufferSize = bytes;
    }

    /// <summary>A counter summed over the sockets' loops (read at scrape time, not per datagram).</summary>
    private long Sum(Func<UdpReceiveLoop, long> counter)
    {
        long sum = 0;
        foreach (UdpReceiveLoop loop in _loops)
        {
            sum += counter(loop);
        }

        return sum;
    }

    private static partial class Log
    {
        // Syslog owns EventIds 100-199: UDP 100-109 (next free: 103; 101-102 in UdpReceiveLoop), TCP 110-119 (TcpSyslogConnectionHandler, next free: 112).
        [LoggerMessage(100, LogLevel.Information, "UDP syslog listening on {EndPoint} (kernel receive buffer {ReceiveBufferBytes} bytes per socket, {Sockets} sockets, {Receive}, shared with other processes: {ReusePort})")]
        public static partial void Listening(ILogger logger, EndPoint endPoint, int receiveBufferBytes, int sockets, string receive, bool reusePort);
    }
}
