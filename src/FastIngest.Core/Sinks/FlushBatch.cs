using FastIngest.Core.Internal;

namespace FastIngest.Core.Sinks;

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

    /// <summary><c>agents_1d</c>: hits per agent class and visitor of the interval.</summary>
    public List<AgentRow> Agents { get; } = [];

    /// <summary><c>referrers_1d</c>: visits and visitors per referrer (issue 18, item 1).</summary>
    public List<ReferrerRow> Referrers { get; } = [];

    /// <summary>
    /// <c>requests_raw</c>: the opted-in tenants' requests of the interval. Not a list of rows with their
    /// own strings but a set with one text arena; a shard swaps its full set for this (empty) one.
    /// </summary>
    public RawRowSet RawRows { get; private set; } = new();

    /// <summary>Completed by the sink once this batch (and every one before it) is written.</summary>
    public List<TaskCompletionSource> Barriers { get; } = [];

    /// <summary>Lines counted into <see cref="Traffic"/>; equals the sum of its <c>Requests</c>.</summary>
    public long Lines { get; set; }

    /// <summary>Events counted into <see cref="Events"/>; equals the sum of its <c>Events</c>.</summary>
    public long EventCount { get; set; }

    /// <summary>Pixel hits counted into <see cref="Pixels"/>; equals the sum of its <c>Hits</c>.</summary>
    public long PixelHits { get; set; }

    public bool IsEmpty => Traffic.Count == 0 && Statuses.Count == 0 && Errors.Count == 0 && Pixels.Count == 0 && Visitors.Count == 0 && Events.Count == 0 && Users.Count == 0 && Paths.Count == 0 && RawRows.Count == 0 && Referrers.Count == 0 && Agents.Count == 0;

    /// <summary>
    /// Hands this batch <paramref name="rows"/> and returns its own set, emptied, for the shard to fill
    /// next: the arenas are swapped, never copied, so neither side allocates once both have grown.
    /// </summary>
    public RawRowSet SwapRawRows(RawRowSet rows)
    {
        RawRowSet empty = RawRows;
        empty.Clear();
        RawRows = rows;
        return empty;
    }

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
        RawRows.Clear();
        Agents.Clear();
        Referrers.Clear();
        Barriers.Clear();
        Lines = 0;
        EventCount = 0;
        PixelHits = 0;
    }
}
