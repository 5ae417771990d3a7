using FastIngest.Core.Sinks;

namespace FastIngest.Tests.Aggregation;

/// <summary>Keeps flushed rows in memory so a shard can be tested on its own (no ClickHouse here).</summary>
/// <remarks>
/// Every shard of a pipeline flushes on its own task, so writes can come at the same time (the real sink
/// queues them in a channel): one lock, or two shards' concurrent AddRange calls lose rows.
/// </remarks>
internal sealed class CollectingSink : IBatchSink
{
    private readonly Lock _lock = new();

    public List<TrafficRow> Traffic { get; } = [];
    public List<StatusRow> Statuses { get; } = [];
    public List<ErrorRow> Errors { get; } = [];
    public List<PixelRow> Pixels { get; } = [];
    public List<VisitorRow> Visitors { get; } = [];
    public List<PathRow> Paths { get; } = [];
    public List<EventRow> Events { get; } = [];
    public List<UserRow> Users { get; } = [];
    public List<RawRowText> RawRows { get; } = [];
    public List<ReferrerRow> Referrers { get; } = [];
    public List<AgentRow> Agents { get; } = [];
    public int Batches { get; private set; }

    public Core.Internal.ObjectPool<FlushBatch> Pool { get; } = new();

    public ValueTask WriteAsync(FlushBatch batch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Batches++;
            Traffic.AddRange(batch.Traffic);
            Users.AddRange(batch.Users);
            Statuses.AddRange(batch.Statuses);
            Errors.AddRange(batch.Errors);
            Pixels.AddRange(batch.Pixels);
            Visitors.AddRange(batch.Visitors);
            Paths.AddRange(batch.Paths);
            Events.AddRange(batch.Events);
            Referrers.AddRange(batch.Referrers);
            Agents.AddRange(batch.Agents);
            foreach (ref readonly RawRow row in batch.RawRows.Rows)
            {
                RawRows.Add(RawRowText.Of(batch.RawRows, in row));
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
