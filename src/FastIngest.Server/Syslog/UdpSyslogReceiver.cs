using System.Net;
using System.Net.Sockets;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Syslog;
using FastIngest.Server.Hosting;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Syslog;

/// <summary>
/// UDP syslog: one datagram is one message. One receive loop reads into one reusable buffer, parses
/// only the syslog header (for the tenant that picks the shard) and copies the datagram into that
/// shard's pending batch; JSON parsing happens on the shards, so this loop stays short and the
/// kernel buffer drains fast. Pending batches go out when a batch fills or the socket has nothing
/// more to read.
/// </summary>
internal sealed partial class UdpSyslogReceiver : IIngestSource, IDisposable
{
    private const int MaxDatagram = 65536;
    private const int RejectSampleBytes = 1024;
    // Linux: SOL_SOCKET / SO_RCVBUFFORCE (root only; ignores net.core.rmem_max).
    private const int SolSocket = 1;
    private const int SoRcvBufForce = 33;

    private readonly SyslogOptions _options;
    private readonly IngestPipeline _pipeline;
    private readonly ILogger<UdpSyslogReceiver> _logger;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _socket;
    private Task _loop = Task.CompletedTask;
    private long _datagrams;
    private long _bytes;

    public UdpSyslogReceiver(IOptions<SyslogOptions> options, IngestPipeline pipeline, ILogger<UdpSyslogReceiver> logger)
    {
        _options = options.Value;
        _pipeline = pipeline;
        _logger = logger;
    }

    public string Name => "udp-syslog";

    public long Datagrams => Volatile.Read(ref _datagrams);

    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>The bound endpoint (useful when configured with port 0).</summary>
    public IPEndPoint? LocalEndPoint => _socket?.LocalEndPoint as IPEndPoint;

    public void Start()
    {
        if (_options.UdpPort == 0)
        {
            return;
        }

        IPAddress address = IPAddress.Parse(_options.BindAddress);
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        SetReceiveBuffer(socket, _options.UdpReceiveBufferBytes);
        socket.Bind(new IPEndPoint(address, _options.UdpPort));
        _socket = socket;
        Log.Listening(_logger, socket.LocalEndPoint!, socket.ReceiveBufferSize);
        _loop = Task.Run(() => ReceiveLoopAsync(socket));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_socket is null)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _socket?.Dispose();
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync(Socket socket)
    {
        ShardedBatchWriter writer = _pipeline.CreateWriter(IngestSource.Udp);
        byte[] buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: true);
        CancellationToken stop = _stop.Token;
        while (true)
        {
            int received;
            try
            {
                ValueTask<int> receive = socket.ReceiveAsync(buffer, SocketFlags.None, stop);
                if (!receive.IsCompleted && writer.HasPending)
                {
                    // The socket is drained: hand over what we hold instead of waiting for a full batch.
                    await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }

                received = await receive.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException ex)
            {
                // ICMP errors and the like concern one peer; the socket keeps working.
                Log.ReceiveFailed(_logger, ex.SocketErrorCode);
                continue;
            }

            await AddAsync(writer, buffer, received).ConfigureAwait(false);
        }

        // Stopping: what the kernel already holds was sent before the stop, so it counts too.
        while (socket.Available > 0)
        {
            int received = socket.Receive(buffer, SocketFlags.None);
            await AddAsync(writer, buffer, received).ConfigureAwait(false);
        }

        await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        socket.Dispose();
    }

    private ValueTask AddAsync(ShardedBatchWriter writer, byte[] buffer, int received)
    {
        uint now = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (TryAdd(writer, buffer.AsSpan(0, received), now))
        {
            return ValueTask.CompletedTask;
        }

        return AddAfterFlushAsync(writer, buffer, received, now);
    }

    private async ValueTask AddAfterFlushAsync(ShardedBatchWriter writer, byte[] buffer, int received, uint now)
    {
        // The shard's channel is full: wait for room (the kernel buffer absorbs the burst meanwhile).
        await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        TryAdd(writer, buffer.AsSpan(0, received), now);
    }

    private bool TryAdd(ShardedBatchWriter writer, ReadOnlySpan<byte> datagram, uint now)
    {
        _datagrams++;
        _bytes += datagram.Length;
        if (datagram.Length > _options.MaxMessageBytes)
        {
            return writer.TryAdd(MessageKind.Rejected, RejectReason.MessageTooLarge, default, datagram[..RejectSampleBytes], now);
        }

        if (!SyslogParser.TryParse(datagram, out SyslogHeader header, out RejectReason reason))
        {
            ReadOnlySpan<byte> sample = datagram.Length > RejectSampleBytes ? datagram[..RejectSampleBytes] : datagram;
            return writer.TryAdd(MessageKind.Rejected, reason, default, sample, now);
        }

        return writer.TryAdd(
            MessageKind.NginxJson,
            datagram.Slice(header.TenantStart, header.TenantLength),
            datagram.Slice(header.BodyStart, header.BodyLength),
            now);
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
        // Syslog owns EventIds 100-199; next free: 102.
        [LoggerMessage(100, LogLevel.Information, "UDP syslog listening on {EndPoint} (kernel receive buffer {ReceiveBufferBytes} bytes)")]
        public static partial void Listening(ILogger logger, EndPoint endPoint, int receiveBufferBytes);

        [LoggerMessage(101, LogLevel.Debug, "UDP receive failed: {Error}")]
        public static partial void ReceiveFailed(ILogger logger, SocketError error);
    }
}
