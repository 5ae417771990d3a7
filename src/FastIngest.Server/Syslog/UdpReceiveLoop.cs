using System.Globalization;
using System.Net.Sockets;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;

namespace FastIngest.Server.Syslog;

/// <summary>
/// One UDP receive socket and the thread that reads it (<see cref="UdpSyslogReceiver"/> runs
/// <c>Syslog:UdpReceivers</c> of them on one port, bound with <c>SO_REUSEPORT</c>). Each parses only
/// the syslog header (for the tenant that picks the shard) and copies the datagram into its own
/// <see cref="ShardedBatchWriter"/>'s pending batch; JSON parsing happens on the shards, so the loop stays
/// short and the kernel buffer drains fast.
/// </summary>
/// <remarks>
/// Pending batches are held at most <see cref="MaxHoldMilliseconds"/> after their first message
/// (or until full). Handing over a batch whenever the socket is momentarily empty looked cheaper but
/// measured worse: at moderate rates that is one datagram per batch, one shard wake-up per datagram,
/// shards fell behind, and the backlog of near-empty 64 KiB batches grew the pool
/// (UdpSyslogReceiverTests.ReceivingAllocatesNothingPerDatagramOnceWarm caught it). The hold was 1 ms
/// until issue 15: at 25,000 datagrams/s of 700 B that handed over batches a quarter full, and each
/// shard stall at a flush of 10,000 tenants queued ~150 of them (10 MB of 64 KiB buffers kept by the pool,
/// bench/README.md's UDP section). 20 ms fills a batch at a few thousand datagrams/s per shard; the
/// messages carry their arrival second, and the shards flush once a second, so no count moves.
/// The counters are written by the loop's thread only and read by scrapes with <see cref="Volatile"/>.
/// </remarks>
internal sealed partial class UdpReceiveLoop
{
    private const int MaxHoldMilliseconds = 20;
    private const int StopCheckMicroseconds = 100_000;

    private readonly Socket _socket;
    private readonly int _maxMessageBytes;
    private readonly IngestPipeline _pipeline;
    private readonly SourceFence _fence;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SyslogFormats _formats;
    private volatile bool _stopping;
    private long _datagrams;
    private long _bytes;
    private long _refusedSource;

    public UdpReceiveLoop(int index, Socket socket, int maxMessageBytes, IngestPipeline pipeline, SourceFence fence, SyslogFormats formats, ILogger logger)
    {
        _formats = formats;
        Index = index;
        _socket = socket;
        _maxMessageBytes = maxMessageBytes;
        _pipeline = pipeline;
        _fence = fence;
        _logger = logger;
        SocketInode = InodeOf(socket);
    }

    /// <summary>Which of the receiver's sockets (the <c>socket</c> label of the kernel-drop metric).</summary>
    public int Index { get; }

    /// <summary>The socket's inode (its row in /proc/net/udp); null off Linux.</summary>
    public long? SocketInode { get; }

    public long Datagrams => Volatile.Read(ref _datagrams);

    public long Bytes => Volatile.Read(ref _bytes);

    public long RefusedSource => Volatile.Read(ref _refusedSource);

    public Task Stopped => _stopped.Task;

    /// <summary>Starts the loop's thread: <c>recvmmsg</c> batches when <paramref name="batched"/>, else one <c>ReceiveFrom</c> per datagram.</summary>
    public void Start(bool batched) =>
        new Thread(() => Run(batched)) { IsBackground = true, Name = "udp-syslog-" + Index.ToString(CultureInfo.InvariantCulture) }.Start();

    /// <summary>Asks the loop to drain what the kernel holds and end (within <see cref="StopCheckMicroseconds"/>).</summary>
    public void Stop() => _stopping = true;

    /// <summary>Ends the loop without a drain: the host failed to start after this source started.</summary>
    public void Abort()
    {
        _stopping = true;
        _socket.Dispose();
    }

    private void Run(bool batched)
    {
        try
        {
            ShardedBatchWriter writer = _pipeline.CreateWriter(IngestSource.Udp);
            if (batched)
            {
                ReceiveBatches(writer);
            }
            else
            {
                ReceiveEach(writer);
            }
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
            _socket.Dispose();
            _stopped.TrySetResult();
        }
    }

    /// <summary>Counts and copies one admitted datagram; <paramref name="now"/> is read once per batch by the caller.</summary>
    private void Add(ShardedBatchWriter writer, ReadOnlySpan<byte> datagram, uint now)
    {
        _datagrams++;
        _bytes += datagram.Length;
        SyslogMessages.Add(writer, _formats, datagram, _maxMessageBytes, now);
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

    /// <summary>Reads the <c>socket:[inode]</c> link of the descriptor once, at start (cold path).</summary>
    private static long? InodeOf(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            string? target = new FileInfo("/proc/self/fd/" + socket.SafeHandle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture)).LinkTarget;
            // "socket:[123456]"
            return target is not null && target.StartsWith("socket:[", StringComparison.Ordinal)
                && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out long inode) ? inode : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        // Syslog owns EventIds 100-199: UDP 100-109 (next free: 103), TCP 110-119 (TcpSyslogConnectionHandler, next free: 112).
        [LoggerMessage(101, LogLevel.Debug, "UDP receive failed: {Error}")]
        public static partial void ReceiveFailed(ILogger logger, SocketError error);

        [LoggerMessage(102, LogLevel.Critical, "UDP syslog receive loop failed; UDP input has stopped")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}
