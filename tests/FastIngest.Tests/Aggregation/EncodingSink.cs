using FastIngest.Core.Sinks;
using FastIngest.Core.Sinks.ClickHouse;

namespace FastIngest.Tests.Aggregation;

/// <summary>
/// Encodes every flushed batch as the real sink does (<see cref="InsertRound"/>) and keeps each table's
/// RowBinary bytes: exactly what ClickHouse, or the spool, would get.
/// </summary>
internal sealed class EncodingSink : IBatchSink
{
    private readonly Lock _lock = new();

    public Core.Internal.ObjectPool<FlushBatch> Pool { get; } = new();

    /// <summary>Per table index (<see cref="TableEncoders"/>), the bodies written so far, back to back.</summary>
    public List<byte>[] Bodies { get; } = [.. TableEncoders.Tables.Select(_ => new List<byte>())];

    public ValueTask WriteAsync(FlushBatch batch, CancellationToken cancellationToken)
    {
        using var round = new InsertRound();
        round.Reset();
        round.Add(batch);
        lock (_lock)
        {
            for (int i = 0; i < round.Tables.Length; i++)
            {
                Bodies[i].AddRange(round.Tables[i].Body.WrittenSpan.ToArray());
            }
        }

        foreach (TaskCompletionSource barrier in batch.Barriers)
        {
            barrier.TrySetResult();
        }

        Pool.Return(batch);
        return ValueTask.CompletedTask;
    }
}
