using FastIngest.Core.Aggregation;

namespace FastIngest.Server.Events;

/// <summary>
/// Tells a request when the events it handed to the shards are durable (in ClickHouse or the spool),
/// without waiting for the next flush interval: a round asks every shard to flush now
/// (<see cref="IngestPipeline.BarrierAsync"/>). Waiters are coalesced, like a group commit: one round is
/// in flight at a time, and every request that arrives meanwhile waits for the one next round. So under
/// load the extra cost is at most one forced flush per shard per round trip to the sink, however many
/// requests wait.
/// </summary>
internal sealed class DurabilityBarrier(IngestPipeline pipeline)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _next;
    private bool _running;

    /// <summary>
    /// Completes once everything handed to the shards before this call has been written (ClickHouse, the
    /// spool, or dropped and counted: check <c>ClickHouseSink.RoundsDropped</c>). Faults when the pipeline
    /// is stopping.
    /// </summary>
    public Task WaitAsync()
    {
        lock (_lock)
        {
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task waiting = _next.Task;
            if (!_running)
            {
                _running = true;
                _ = Task.Run(RunRoundsAsync);
            }

            return waiting;
        }
    }

    private async Task RunRoundsAsync()
    {
        while (true)
        {
            TaskCompletionSource round;
            lock (_lock)
            {
                if (_next is null)
                {
                    _running = false;
                    return;
                }

                // Every waiter of this round handed its events over before it asked: the round's markers
                // queue behind them in each shard's channel.
                round = _next;
                _next = null;
            }

            try
            {
                await pipeline.BarrierAsync(CancellationToken.None).ConfigureAwait(false);
                round.TrySetResult();
            }
            catch (Exception ex)
            {
                round.TrySetException(ex);
            }
        }
    }
}
