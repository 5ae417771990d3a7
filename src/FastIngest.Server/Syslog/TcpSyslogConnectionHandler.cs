using System.Buffers;
using System.IO.Pipelines;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Syslog;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Syslog;

/// <summary>
/// TCP syslog (RFC 6587) as Kestrel connection middleware: Kestrel owns sockets, buffers and shutdown;
/// this reads each connection's <see cref="PipeReader"/>, frames messages with
/// <see cref="SyslogFrameReader"/> (octet counting or LF/NUL, per message) and routes them like UDP.
/// </summary>
/// <remarks>
/// Frames are taken straight from Kestrel's buffers; only a frame that straddles two buffer segments is
/// copied, into one pooled buffer per connection. A read's messages are added synchronously and the
/// batches handed over once the socket has nothing more buffered, so a busy peer fills whole batches.
/// </remarks>
internal sealed partial class TcpSyslogConnectionHandler : ConnectionHandler
{
    private static readonly TimeSpan s_drainQuietTime = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan s_drainLimit = TimeSpan.FromSeconds(5);

    private readonly SyslogOptions _options;
    private readonly IngestPipeline _pipeline;
    private readonly ILogger<TcpSyslogConnectionHandler> _logger;
    private int _open;
    private long _connections;
    private long _refused;
    private long _messages;
    private long _tooLarge;

    public TcpSyslogConnectionHandler(IOptions<SyslogOptions> options, IngestPipeline pipeline, ILogger<TcpSyslogConnectionHandler> logger)
    {
        _options = options.Value;
        _pipeline = pipeline;
        _logger = logger;
    }

    public int OpenConnections => Volatile.Read(ref _open);

    public long Connections => Volatile.Read(ref _connections);

    public long Refused => Volatile.Read(ref _refused);

    public long Messages => Volatile.Read(ref _messages);

    public long TooLarge => Volatile.Read(ref _tooLarge);

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        Interlocked.Increment(ref _connections);
        if (Interlocked.Increment(ref _open) > _options.TcpMaxConnections)
        {
            Interlocked.Decrement(ref _open);
            Interlocked.Increment(ref _refused);
            Log.Refused(_logger, connection.RemoteEndPoint, _options.TcpMaxConnections);
            return;
        }

        try
        {
            await ReadMessagesAsync(connection).ConfigureAwait(false);
        }
        catch (ConnectionResetException)
        {
            // The peer went away; what it sent before is counted.
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task ReadMessagesAsync(ConnectionContext connection)
    {
        PipeReader input = connection.Transport.Input;
        ShardedBatchWriter writer = _pipeline.CreateWriter(IngestSource.Tcp);
        writer.Sender = SenderKey.Of((connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address);
        var frames = new SyslogFrameReader(_options.MaxMessageBytes);
        var state = new ConnectionState(frames, writer);
        using var idle = new CancellationTokenSource();
        // Kestrel asks connection middleware to finish on shutdown. What the peer sent before the stop
        // may still sit in the socket: keep reading until it has been quiet for s_drainQuietTime (bounded
        // by s_drainLimit), like the UDP receiver drains its kernel buffer.
        CancellationToken closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? default;
        using CancellationTokenRegistration wake = closing.UnsafeRegister(static cts => ((CancellationTokenSource)cts!).CancelAfter(s_drainQuietTime), idle);
        long drainUntil = long.MaxValue;
        System.Net.Sockets.Socket? socket = connection.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket;
        try
        {
            while (true)
            {
                if (closing.IsCancellationRequested && drainUntil == long.MaxValue)
                {
                    drainUntil = Environment.TickCount64 + (long)s_drainLimit.TotalMilliseconds;
                }

                if (Environment.TickCount64 > drainUntil)
                {
                    break;
                }

                if (!input.TryRead(out ReadResult result))
                {
                    // Nothing more buffered: hand over this read's batches before waiting.
                    await writer.FlushAsync().ConfigureAwait(false);
                    idle.CancelAfter(closing.IsCancellationRequested ? s_drainQuietTime : _options.TcpIdleTimeout);
                    try
                    {
                        result = await input.ReadAsync(idle.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (idle.IsCancellationRequested)
                    {
                        if (!closing.IsCancellationRequested)
                        {
                            Log.IdleClosed(_logger, connection.RemoteEndPoint, _options.TcpIdleTimeout);
                            break;
                        }

                        // Quiet for us is not quiet for the kernel: on a busy stop (thousands of connections,
                        // two cores) Kestrel may not have read what the socket holds yet. Wait for that too.
                        if (socket?.Available > 0 && Environment.TickCount64 < drainUntil)
                        {
                            idle.TryReset();
                            continue;
                        }

                        break;
                    }

                    idle.TryReset();
                }

                SequencePosition consumed = AddFrames(result.Buffer, result.IsCompleted, state);
                input.AdvanceTo(consumed, result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        finally
        {
            await writer.FlushAsync().ConfigureAwait(false);
            state.Dispose();
        }
    }

    private SequencePosition AddFrames(ReadOnlySequence<byte> buffer, bool isCompleted, ConnectionState state)
    {
        var reader = new SequenceReader<byte>(buffer);
        uint now = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        long messages = 0;
        while (true)
        {
            FrameStatus status = state.Frames.TryRead(ref reader, isCompleted, out ReadOnlySequence<byte> frame);
            if (status == FrameStatus.NeedMoreData)
            {
                break;
            }

            messages++;
            if (status == FrameStatus.Oversized)
            {
                Interlocked.Increment(ref _tooLarge);
                state.Writer.Add(MessageKind.Rejected, RejectReason.MessageTooLarge, default, state.Contiguous(frame, SyslogMessages.RejectSampleBytes), now);
                continue;
            }

            SyslogMessages.Add(state.Writer, state.Contiguous(frame, (int)frame.Length), _options.MaxMessageBytes, now);
        }

        Interlocked.Add(ref _messages, messages);
        return reader.Position;
    }

    /// <summary>One connection's framing state and the buffer for frames that straddle segments.</summary>
    private sealed class ConnectionState(SyslogFrameReader frames, ShardedBatchWriter writer) : IDisposable
    {
        private readonly ContiguousBuffer _frame = new();

        public SyslogFrameReader Frames { get; } = frames;

        public ShardedBatchWriter Writer { get; } = writer;

        /// <summary>The first <paramref name="length"/> bytes of the frame as one span, copied only when it spans segments.</summary>
        public ReadOnlySpan<byte> Contiguous(ReadOnlySequence<byte> frame, int length) =>
            _frame.Of(frame.Length > length ? frame.Slice(0, length) : frame);

        public void Dispose() => _frame.Dispose();
    }

    private static partial class Log
    {
        // Syslog owns EventIds 100-199; TCP 110-119, next free: 112 (UDP: UdpSyslogReceiver).
        [LoggerMessage(110, LogLevel.Warning, "TCP syslog connection from {RemoteEndPoint} refused: {Max} connections are open (FastIngest:Syslog:TcpMaxConnections)")]
        public static partial void Refused(ILogger logger, System.Net.EndPoint? remoteEndPoint, int max);

        [LoggerMessage(111, LogLevel.Information, "TCP syslog connection from {RemoteEndPoint} closed after {IdleTimeout} idle")]
        public static partial void IdleClosed(ILogger logger, System.Net.EndPoint? remoteEndPoint, TimeSpan idleTimeout);
    }
}
