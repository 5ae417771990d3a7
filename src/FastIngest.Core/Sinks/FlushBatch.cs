using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Sinks;

/// <summary>One tenant-minute of <c>traffic_1m</c>: deltas since the previous flush.</summary>
internal readonly record struct TrafficRow(byte[] Tenant, uint Minute, TrafficCounters Counters);

/// <summary>One (tenant, minute, exact status) of <c>status_1m</c>.</summary>
internal readonly record struct StatusRow(byte[] Tenant, uint Minute, ushort Status, ulong Requests);

/// <summary>One (tenant, key, minute) of <c>pixel_1m</c>.</summary>
internal readonly record struct PixelRow(byte[] Tenant, byte[] Key, uint Minute, ulong Hits);

/// <summary>
/// One visitor hash for <c>visitors_1d</c>, whose write door folds hashes into uniq states.
/// <see cref="Key"/> is empty for the tenant's whole traffic, the pixel key otherwise.
/// </summary>
internal readonly record struct VisitorRow(byte[] Tenant, ushort Day, byte[] Key, ulong Visitor);

/// <summary>One (tenant, minute, event type, path) of <c>events_1m</c>.</summary>
internal readonly record struct EventRow(byte[] Tenant, uint Minute, byte[] EventType, byte[] Path, ulong Events);

/// <summary>One (tenant, hour, path) for <c>paths_1h</c>, whose write door folds rows into sum and max states.</summary>
internal readonly record struct PathRow(byte[] Tenant, uint Hour, byte[] Path, PathCounters Counters);

/// <summary>One hashed user for <c>users_1d</c>, whose write door folds hashes into uniq states.</summary>
internal readonly record struct UserRow(byte[] Tenant, ushort Day, ulong User);

/// <summary>
/// One row of <c>ingest_errors</c>: either a kept sample (<see cref="Count"/> 1, <see cref="Sample"/> set)
/// or the count of the rest of that (source, tenant, reason) since the last flush, with no sample.
/// </summary>
internal readonly record struct ErrorRow(uint Time, IngestSource Source, byte[] Tenant, RejectReason Reason, ulong Count, string Sample);

/// <summary>
/// What one shard hands the sink every flush interval. Pooled: the sink returns it once written.
/// </summary>
internal sealed class FlushBatch : IResettable
{
    public List<TrafficRow> Traffic { get; } = [];

    public List<StatusRow> Statuses { get; } = [];

    public List<ErrorRow> Errors { get; } = [];

    public List<PixelRow> Pixels { get; } = [];

    public List<VisitorRow> Visitors { get; } = [];

    public List<EventRow> Events { get; } = [];

    public List<UserRow> Users { get; } = [];

    public List<PathRow> Paths { get; } = [];

    /// <summary>Completed by the sink once this batch (and every one before it) is written.</summary>
    public List<TaskCompletionSource> Barriers { get; } = [];

    /// <summary>Lines counted into <see cref="Traffic"/>; equals the sum of its <c>Requests</c>.</summary>
    public long Lines { get; set; }

    /// <summary>Events counted into <see cref="Events"/>; equals the sum of its <c>Events</c>.</summary>
    public long EventCount { get; set; }

    /// <summary>Pixel hits counted into <see cref="Pixels"/>; equals the sum of its <c>Hits</c>.</summary>
    public long PixelHits { get; set; }

    public bool IsEmpty => Traffic.Count == 0 && Statuses.Count == 0 && Errors.Count == 0 && Pixels.Count == 0 && Visitors.Count == 0 && Events.Count == 0 && Users.Count == 0 && Paths.Count == 0;

    public void Reset()
    {
        Traffic.Clear();
        Statuses.Clear();
        Errors.Clear();
        Pixels.Clear();
        Visitors.Clear();
        Events.Clear();
        Users.Clear();
        Paths.Clear();
        Barriers.Clear();
        Lines = 0;
        EventCount = 0;
        PixelHits = 0;
    }
}
