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
    private readonly SyslogFormats _formats;
    private readonly IngestPipeline _pipeline;
    private readonly ILogger<TcpSyslogConnectionHandler> _logger;
    private long _messages;
    private long _tooLarge;
    private long _frameTimeouts;

    public TcpSyslogConnectionHandler(IOptions<SyslogOptions> options, IngestPipeline pipeline, ILogger<TcpSyslogConnectionHandler> logger, SyslogFormats? formats = null)
    {
        _formats = formats ?? SyslogFormats.None;
        _options = options.Value;
        _pipeline = pipeline;
        _logger = logger;
    }

    public long Messages => Volatile.Read(ref _messages);

    public long TooLarge => Volatile.Read(ref _tooLarge);

    /// <summary>Connections closed because a frame was not complete within <see cref="SyslogOptions.FrameTimeout"/>.</summary>
    public long FrameTimeouts => Volatile.Read(ref _frameTimeouts);

    /// <summary>Admission (source, connection caps) runs before this, in <see cref="TcpSyslogAdmission"/>.</summary>
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        try
        {
            await ReadMessagesAsync(connection).ConfigureAwait(false);
        }
        catch (ConnectionResetException)
        {
            // The peer went away; what it sent before is counted.
        }
        catch (IOException) when (connection.Features.Get<ITlsHandshakeFeature>() is not null)
        {
            // A TLS peer that goes away without close_notify; what it sent before is counted.
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
        // The frame clock: when the frame in progress started (a connection starts with one: a client
        // that connects and sends nothing holds a slot like one that trickles), 0 between frames.
        long frameStarted = Environment.TickCount64;
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

                // Full batches the shards could not take yet are handed over (waiting for room) before the next
                // read, even when more is buffered: with inline scheduling Kestrel's receive loop runs on its
                // own socket thread and keeps the pipe fed, so "nothing more buffered" may never come, and set
                // aside batches grew without bound (LongPathFloodTests: 1,017 MB). One read's worth at most.
                ReadResult result = default;
                if (writer.HasSetAside || !input.TryRead(out result))
                {
                    // Nothing more buffered, or the shards pushed back: hand over this read's batches before waiting.
                    long flushStarted = Environment.TickCount64;
                    await writer.FlushAsync().ConfigureAwait(false);
                    if (frameStarted != 0)
                    {
                        // Time the shards made us wait (backpressure) is ours, not the peer's: it does not count
                        // against the frame deadline.
                        frameStarted += Environment.TickCount64 - flushStarted;
                    }

                    idle.CancelAfter(closing.IsCancellationRequested ? s_drainQuietTime : WaitLimit(frameStarted));
                    try
                    {
                        result = await input.ReadAsync(idle.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (idle.IsCancellationRequested)
                    {
                        if (!closing.IsCancellationRequested)
                        {
                            // Silence past TcpIdleTimeout is idle even inside a frame; the frame deadline is what
                            // expired only when it was the nearer of the two.
                            if (frameStarted != 0 && Environment.TickCount64 - frameStarted >= (long)_options.FrameTimeout.TotalMilliseconds)
                            {
                                Interlocked.Increment(ref _frameTimeouts);
                                Log.FrameTimedOut(_logger, connection.RemoteEndPoint, _options.FrameTimeout);
                            }
                            else
                            {
                                Log.IdleClosed(_logger, connection.RemoteEndPoint, _options.TcpIdleTimeout);
                            }

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

                SequencePosition consumed = AddFrames(result.Buffer, result.IsCompleted, state, out bool anyFrame);
                bool inFrame = !result.Buffer.Slice(consumed).IsEmpty || frames.InFrame;
                frameStarted = !inFrame ? 0 : anyFrame || frameStarted == 0 ? Environment.TickCount64 : frameStarted;
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

    /// <summary>
    /// How long to wait for the next bytes: the idle timeout between frames; inside a frame, what is
    /// left of <see cref="SyslogOptions.FrameTimeout"/> (bytes that do not finish the frame do not
    /// extend it, so a byte a second cannot hold the connection), at most the idle timeout.
    /// </summary>
    private TimeSpan WaitLimit(long frameStarted)
    {
        if (frameStarted == 0)
        {
            return _options.TcpIdleTimeout;
        }

        long left = (long)_options.FrameTimeout.TotalMilliseconds - (Environment.TickCount64 - frameStarted);
        return TimeSpan.FromMilliseconds(Math.Clamp(left, 1, (long)_options.TcpIdleTimeout.TotalMilliseconds));
    }

    private SequencePosition AddFrames(ReadOnlySequence<byte> buffer, bool isCompleted, ConnectionState state, out bool anyFrame)
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

            SyslogMessages.Add(state.Writer, _formats, state.Contiguous(frame, (int)frame.Length), _options.MaxMessageBytes, now);
        }

        Interlocked.Add(ref _messages, messages);
        anyFrame = messages > 0;
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
        // Syslog owns EventIds 100-199; TCP 110-119, next free: 113 (110: TcpSyslogAdmission; UDP: UdpSyslogReceiver).
        [LoggerMessage(112, LogLevel.Debug, "TCP syslog connection from {RemoteEndPoint} closed: a frame took longer than {FrameTimeout} (FastIngest:Syslog:FrameTimeout)")]
        public static partial void FrameTimedOut(ILogger logger, System.Net.EndPoint? remoteEndPoint, TimeSpan frameTimeout);

        [LoggerMessage(111, LogLevel.Information, "TCP syslog connection from {RemoteEndPoint} closed after {IdleTimeout} idle")]
        public static partial void IdleClosed(ILogger logger, System.Net.EndPoint? remoteEndPoint, TimeSpan idleTimeout);
    }
}
