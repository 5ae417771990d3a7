using System.Net;
using System.Net.Sockets;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Syslog;

/// <summary>
/// UDP syslog: one datagram is one message. A dedicated thread receives into one reusable buffer,
/// parses only the syslog header (for the tenant that picks the shard) and copies the datagram into
/// that shard's pending batch; JSON parsing happens on the shards, so this loop stays short and the
/// kernel buffer drains fast.
/// </summary>
/// <remarks>
/// Pending batches are held at most <see cref="MaxHoldMilliseconds"/> after their first message
/// (or until full). Handing over a batch whenever the socket is momentarily empty looked cheaper but
/// measured worse: at moderate rates that is one datagram per batch, one shard wake-up per datagram,
/// shards fell behind, and the backlog of near-empty 64 KiB batches grew the pool
/// (UdpSyslogReceiverTests.ReceivingAllocatesNothingPerDatagramOnceWarm caught it).
/// </remarks>
internal sealed partial class UdpSyslogReceiver : IIngestSource, IDisposable
{
    private const int MaxDatagram = 65536;
    private const int MaxHoldMilliseconds = 1;
    private const int StopCheckMicroseconds = 100_000;
    // Linux: SOL_SOCKET / SO_RCVBUFFORCE (root only; ignores net.core.rmem_max).
    private const int SolSocket = 1;
    private const int SoRcvBufForce = 33;

    private readonly SyslogOptions _options;
    private readonly IngestPipeline _pipeline;
    private readonly ILogger<UdpSyslogReceiver> _logger;
    private readonly SourceFence _fence;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _socket;
    private volatile bool _stopping;
    private long _datagrams;
    private long _bytes;
    private long _refusedSource;

    public UdpSyslogReceiver(IOptions<SyslogOptions> options, IngestPipeline pipeline, SourceFence fence, ILogger<UdpSyslogReceiver> logger)
    {
        _options = options.Value;
        _pipeline = pipeline;
        _fence = fence;
        _logger = logger;
    }

    public long Datagrams => Volatile.Read(ref _datagrams);

    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Datagrams dropped unread: their sender is outside <see cref="SyslogOptions.AllowedSources"/>.</summary>
    public long RefusedSource => Volatile.Read(ref _refusedSource);

    /// <summary>The bound endpoint (useful when configured with port 0).</summary>
    public IPEndPoint? LocalEndPoint => _socket?.LocalEndPoint as IPEndPoint;

    public void Start()
    {
        if (_options.UdpPort == 0)
        {
            _stopped.TrySetResult();
            return;
        }

        IPAddress address = IPAddress.Parse(_options.BindAddress);
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        SetReceiveBuffer(socket, _options.UdpReceiveBufferBytes);
        try
        {
            socket.Bind(new IPEndPoint(address, _options.UdpPort));
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            // Named, so the start fails with one line an operator can act on (Hosting/StartupFailure).
            throw new StartupException($"{SyslogOptions.SectionName}:UdpPort: cannot listen on UDP {address}:{_options.UdpPort}: {ex.Message}", ex);
        }

        _socket = socket;
        Log.Listening(_logger, socket.LocalEndPoint!, socket.ReceiveBufferSize);
        new Thread(() => RunReceiveLoop(socket)) { IsBackground = true, Name = "udp-syslog" }.Start();
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        return _stopped.Task.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        // Disposed without a stop when the host fails to start after this source started (a port
        // Kestrel wanted was taken): the loop then ends quietly instead of reporting a failure.
        _stopping = true;
        _socket?.Dispose();
    }

    private void RunReceiveLoop(Socket socket)
    {
        try
        {
            ReceiveLoop(socket);
        }
        catch (ObjectDisposedException) when (_stopping)
        {
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, ex);
        }
        finally
        {
            socket.Dispose();
            _stopped.TrySetResult();
        }
    }

    private void ReceiveLoop(Socket socket)
    {
        ShardedBatchWriter writer = _pipeline.CreateWriter(IngestSource.Udp);
        byte[] buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram);
        // Filled by each ReceiveFrom with the raw sockaddr: the fence reads it without an IPEndPoint.
        var sender = new SocketAddress(socket.AddressFamily);
        long heldSince = 0;
        while (!_stopping)
        {
            if (socket.Available == 0)
            {
                int waitMicroseconds = StopCheckMicroseconds;
                if (writer.HasPending)
                {
                    long held = Environment.TickCount64 - heldSince;
                    if (held >= MaxHoldMilliseconds)
                    {
                        Flush(writer);
                        continue;
                    }

                    waitMicroseconds = (int)(MaxHoldMilliseconds - held) * 1000;
                }

                if (!socket.Poll(waitMicroseconds, SelectMode.SelectRead))
                {
                    continue;
                }
            }

            int received;
            try
            {
                received = socket.ReceiveFrom(buffer, SocketFlags.None, sender);
            }
            catch (SocketException ex)
            {
                // ICMP errors and the like concern one peer; the socket keeps working.
                Log.ReceiveFailed(_logger, ex.SocketErrorCode);
                continue;
            }

            if (!_fence.Admits(sender))
            {
                // Before parsing: a refused source creates no tenant and costs no batch space.
                _refusedSource++;
                continue;
            }

            if (!writer.HasPending)
            {
                heldSince = Environment.TickCount64;
            }

            // The sender key feeds the shards' per-address admission of new tenants (issue 13).
            writer.Sender = SenderKey.Of(sender);
            Add(writer, buffer, received);
        }

        // Stopping: what the kernel already holds was sent before the stop, so it counts too.
        while (socket.Available > 0)
        {
            int drained = socket.ReceiveFrom(buffer, SocketFlags.None, sender);
            if (_fence.Admits(sender))
            {
                writer.Sender = SenderKey.Of(sender);
                Add(writer, buffer, drained);
            }
            else
            {
                _refusedSource++;
            }
        }

        Flush(writer);
    }

    private void Add(ShardedBatchWriter writer, byte[] buffer, int received)
    {
        _datagrams++;
        _bytes += received;
        uint now = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        SyslogMessages.Add(writer, buffer.AsSpan(0, received), _options.MaxMessageBytes, now);
        if (writer.HasSetAside)
        {
            // A shard's channel is full: wait for room (the kernel buffer absorbs the burst meanwhile).
            Flush(writer);
        }
    }

    private static void Flush(ShardedBatchWriter writer)
    {
        ValueTask flush = writer.FlushAsync(CancellationToken.None);
        if (!flush.IsCompletedSuccessfully)
        {
            // Only under backpressure; this thread has nothing else to do but wait.
            flush.AsTask().GetAwaiter().GetResult();
        }
    }

    private static void SetReceiveBuffer(Socket socket, int bytes)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                socket.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(bytes));
                return;
            }
            catch (SocketException)
            {
                // Not root: fall back to SO_RCVBUF, which the kernel caps at net.core.rmem_max.
            }
        }

        socket.ReceiveBufferSize = bytes;
    }

    private static partial class Log
    {
        // Syslog owns EventIds 100-199: UDP 100-109 (next free: 103), TCP 110-119 (TcpSyslogConnectionHandler, next free: 112).
        [LoggerMessage(100, LogLevel.Information, "UDP syslog listening on {EndPoint} (kernel receive buffer {ReceiveBufferBytes} bytes)")]
        public static partial void Listening(ILogger logger, EndPoint endPoint, int receiveBufferBytes);

        [LoggerMessage(101, LogLevel.Debug, "UDP receive failed: {Error}")]
        public static partial void ReceiveFailed(ILogger logger, SocketError error);

        [LoggerMessage(102, LogLevel.Critical, "UDP syslog receive loop failed; UDP input has stopped")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}
