using FastIngest.Core.Sinks.ClickHouse;
using FastIngest.Server.Reading;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Operations;

/// <summary>
/// Whether ClickHouse answers, as state <c>/health</c> reads: a successful insert says so for free; while
/// none has happened for <see cref="ManagementOptions.PingInterval"/>, one <c>SELECT 1</c> per interval
/// asks. <c>/health</c> itself never queries ClickHouse, so a flood of health checks is no flood of
/// queries (issue 14).
/// </summary>
internal sealed partial class ClickHouseReachability(ShardedClickHouseSink sink, ClickHouseQueries queries, IOptions<ManagementOptions> options, ILogger<ClickHouseReachability> logger) : BackgroundService
{
    private readonly TimeSpan _interval = options.Value.PingInterval;
    private long _pings;
    private long _lastAnswerTicks;
    private int _reachable;
    private int _known;

    /// <summary>True when ClickHouse answered the last ping or took an insert since.</summary>
    public bool Reachable => Volatile.Read(ref _reachable) == 1 || (Known && sink.SinceLastSuccess < SinceLastAnswer);

    /// <summary>False until the first ping has answered or failed.</summary>
    public bool Known => Volatile.Read(ref _known) == 1;

    /// <summary>Pings sent so far (<c>fastingest_clickhouse_pings_total</c>).</summary>
    public long Pings => Volatile.Read(ref _pings);

    private TimeSpan SinceLastAnswer => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastAnswerTicks));

    /// <summary>Asks once before the server listens, so the first <c>/health</c> already knows.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await PingAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval);
        long failures = sink.InsertsFailed;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                // An insert that succeeded within the interval has already answered the question, unless
                // one failed since: then ask, so an outage shows within one interval.
                long failed = sink.InsertsFailed;
                if (sink.SinceLastSuccess >= _interval || failed != failures)
                {
                    failures = failed;
                    await PingAsync(stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task PingAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _pings);
        bool answered = await queries.PingAsync(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _lastAnswerTicks, Environment.TickCount64);
        Volatile.Write(ref _reachable, answered ? 1 : 0);
        if (!Known)
        {
            Volatile.Write(ref _known, 1);
            Log.FirstPing(logger, answered);
        }
    }

    private static partial class Log
    {
        // Operations own EventIds 900-999; next free: 901.
        [LoggerMessage(900, LogLevel.Debug, "First ClickHouse ping: answered {Answered}")]
        public static partial void FirstPing(ILogger logger, bool answered);
    }
}
