using System.Threading.Channels;
using ClickHouse.Driver;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Internal;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// Writes flushed shard batches to ClickHouse as RowBinary over HTTP. One loop owns the connection:
/// it takes every batch that is waiting, encodes them into one pooled body per table (one insert per
/// table, however many shards flushed) and retries a failed insert with backoff until it succeeds or
/// the sink is stopped. Shards only wait here when <see cref="ClickHouseOptions.MaxQueuedBatches"/> are queued.
/// </summary>
internal sealed partial class ClickHouseSink : IBatchSink, IAsyncDisposable
{
    private readonly ClickHouseOptions _options;
    private readonly ObjectPool<FlushBatch> _batchPool;
    private readonly ILogger _logger;
    private readonly ClickHouseClient _client;
    private readonly Channel<FlushBatch> _queue;
    private readonly CancellationTokenSource _abort = new();
    private readonly TableBody[] _tables;
    // Barriers of the batches drained in the current round; only the sink's loop touches it.
    private readonly List<TaskCompletionSource> _barriers = [];
    private Task _loop = Task.CompletedTask;

    private long _linesWritten;
    private long _pixelHitsWritten;
    private long _eventsWritten;
    private long _rowsWritten;
    private long _insertsFailed;
    private long _lastSuccessTicks = Environment.TickCount64;

    public ClickHouseSink(ClickHouseOptions options, ObjectPool<FlushBatch> batchPool, ILogger logger)
    {
        _options = options;
        _batchPool = batchPool;
        _logger = logger;
        _client = ClickHouseConnection.CreateClient(options);
        _queue = Channel.CreateBounded<FlushBatch>(new BoundedChannelOptions(options.MaxQueuedBatches)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        string db = options.Database;
        _tables =
        [
            new TableBody($"INSERT INTO {db}.traffic_1m ({TableEncoders.TrafficColumns}) FORMAT RowBinary"),
            new TableBody($"INSERT INTO {db}.status_1m ({TableEncoders.StatusColumns}) FORMAT RowBinary"),
            new TableBody($"INSERT INTO {db}.ingest_errors ({TableEncoders.ErrorColumns}) FORMAT RowBinary"),
            new TableBody($"INSERT INTO {db}.pixel_1m ({TableEncoders.PixelColumns}) FORMAT RowBinary"),
            new TableBody($"INSERT INTO {db}.visitor_hashes ({TableEncoders.VisitorColumns}) FORMAT RowBinary"),
            new TableBody($"INSERT INTO {db}.events_1m ({TableEncoders.EventColumns}) FORMAT RowBinary"),
            new TableBody($"INSERT INTO {db}.user_hashes ({TableEncoders.UserColumns}) FORMAT RowBinary"),
            new TableBody($"INSERT INTO {db}.path_hits ({TableEncoders.PathColumns}) FORMAT RowBinary"),
        ];
    }

    /// <summary>Lines whose counters ClickHouse has confirmed.</summary>
    public long LinesWritten => Volatile.Read(ref _linesWritten);

    /// <summary>Pixel hits whose counters ClickHouse has confirmed.</summary>
    public long PixelHitsWritten => Volatile.Read(ref _pixelHitsWritten);

    /// <summary>Events whose counters ClickHouse has confirmed.</summary>
    public long EventsWritten => Volatile.Read(ref _eventsWritten);

    public long RowsWritten => Volatile.Read(ref _rowsWritten);

    public long InsertsFailed => Volatile.Read(ref _insertsFailed);

    public int QueuedBatches => _queue.Reader.Count;

    /// <summary>Time since ClickHouse last accepted an insert or the schema (or since start).</summary>
    public TimeSpan SinceLastSuccess => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastSuccessTicks));

    public void Start() => _loop = Task.Run(RunAsync);

    public ValueTask WriteAsync(FlushBatch batch, CancellationToken cancellationToken)
    {
        // An empty batch that carries a barrier must still queue: behind the batches before it.
        if (batch.IsEmpty && batch.Barriers.Count == 0)
        {
            _batchPool.Return(batch);
            return ValueTask.CompletedTask;
        }

        return _queue.Writer.WriteAsync(batch, cancellationToken);
    }

    /// <summary>
    /// Writes what is queued, then returns. If <paramref name="cancellationToken"/> fires first
    /// (ClickHouse unreachable at shutdown), gives up and logs how many lines were not written.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        using (cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abort))
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        _client.Dispose();
        foreach (TableBody table in _tables)
        {
            table.Body.Dispose();
        }

        _abort.Dispose();
    }

    private async Task RunAsync()
    {
        CancellationToken abort = _abort.Token;
        if (_options.ApplySchema)
        {
            await RetryAsync(ct => SchemaMigrator.ApplyAsync(_client, _options.Database, ct), "schema", abort).ConfigureAwait(false);
        }

        ChannelReader<FlushBatch> reader = _queue.Reader;
        while (await reader.WaitToReadAsync(abort).ConfigureAwait(false))
        {
            long lines = 0, pixelHits = 0, events = 0;
            while (reader.TryRead(out FlushBatch? batch))
            {
                lines += batch.Lines;
                pixelHits += batch.PixelHits;
                events += batch.EventCount;
                _barriers.AddRange(batch.Barriers);
                Encode(batch);
                _batchPool.Return(batch);
            }

            foreach (TableBody table in _tables)
            {
                if (table.Rows > 0)
                {
                    await RetryAsync(ct => InsertAsync(table, ct), table.Sql, abort).ConfigureAwait(false);
                    Interlocked.Add(ref _rowsWritten, table.Rows);
                    table.Clear();
                }
            }

            Interlocked.Add(ref _linesWritten, lines);
            Interlocked.Add(ref _pixelHitsWritten, pixelHits);
            Interlocked.Add(ref _eventsWritten, events);
            foreach (TaskCompletionSource barrier in _barriers)
            {
                barrier.TrySetResult();
            }

            _barriers.Clear();
        }
    }

    private void Encode(FlushBatch batch)
    {
        Encode(_tables[0], batch.Traffic, TableEncoders.Append);
        Encode(_tables[1], batch.Statuses, TableEncoders.Append);
        Encode(_tables[2], batch.Errors, TableEncoders.Append);
        Encode(_tables[3], batch.Pixels, TableEncoders.Append);
        Encode(_tables[4], batch.Visitors, TableEncoders.Append);
        Encode(_tables[5], batch.Events, TableEncoders.Append);
        Encode(_tables[6], batch.Users, TableEncoders.Append);
        Encode(_tables[7], batch.Paths, TableEncoders.Append);
    }

    private static void Encode<TRow>(TableBody table, List<TRow> rows, TableEncoders.RowEncoder<TRow> append)
    {
        foreach (TRow row in rows)
        {
            append(table.Writer, in row);
        }

        table.Rows += rows.Count;
    }

    private async Task InsertAsync(TableBody table, CancellationToken cancellationToken)
    {
        using var body = new ReadOnlyMemoryStream(table.Body.WrittenMemory);
        using HttpResponseMessage response = await _client.PostStreamAsync(table.Sql, body, isCompressed: false, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string error = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new ClickHouseException((int)response.StatusCode, error);
        }
    }

    private async Task RetryAsync(Func<CancellationToken, Task> action, string what, CancellationToken abort)
    {
        TimeSpan delay = TimeSpan.FromMilliseconds(100);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await action(abort).ConfigureAwait(false);
                Volatile.Write(ref _lastSuccessTicks, Environment.TickCount64);
                if (attempt > 1)
                {
                    Log.Recovered(_logger, what, attempt);
                }

                return;
            }
            catch (Exception ex) when (!abort.IsCancellationRequested)
            {
                Interlocked.Increment(ref _insertsFailed);
                // One warning per outage step, not per attempt: attempts 1, 2, 4, 8 ...
                if ((attempt & (attempt - 1)) == 0)
                {
                    Log.Failed(_logger, ex, what, attempt, delay);
                }

                await Task.Delay(delay, abort).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>An insert statement and the RowBinary rows waiting for it.</summary>
    private sealed class TableBody(string sql)
    {
        public string Sql { get; } = sql;

        public PooledBufferWriter Body { get; } = new();

        public RowBinaryWriter Writer => new(Body);

        public int Rows { get; set; }

        public void Clear()
        {
            Body.Reset();
            Rows = 0;
        }
    }

    private static partial class Log
    {
        // Sinks own EventIds 500-599; next free: 502.
        [LoggerMessage(500, LogLevel.Warning, "ClickHouse {What} failed (attempt {Attempt}); retrying in {Delay}")]
        public static partial void Failed(ILogger logger, Exception exception, string what, int attempt, TimeSpan delay);

        [LoggerMessage(501, LogLevel.Information, "ClickHouse {What} succeeded after {Attempt} attempts")]
        public static partial void Recovered(ILogger logger, string what, int attempt);
    }
}
