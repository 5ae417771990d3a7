using FastIngest.Server.Reading;

namespace FastIngest.Server.Dashboard;

/// <summary>
/// The tenant picker's names, kept in memory: finding the distinct tenants of the day tables reads every
/// row's tenant (tens of millions of rows with 10,000 tenants and a year: about a second on 18.16, which
/// has no aggregation in primary key order), far too slow for each page load, and the list barely changes.
/// The sorted list is read once at start and again when a request finds it older than
/// <see cref="MaxAge"/>; that request and the ones after it are answered from the old list meanwhile
/// (one refresh at a time), so only a request before the first read ever waits. Bounded: at most
/// <see cref="MaxNames"/> names (a few MB); with more, each request asks ClickHouse itself.
/// </summary>
internal sealed class TenantDirectory(ClickHouseQueries clickHouse, TimeProvider time)
{
    public const int MaxNames = 100_000;

    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private Snapshot? _snapshot;
    private Task<Snapshot>? _refresh;

    /// <summary>Names starting with <paramref name="prefix"/>, sorted, at most <paramref name="limit"/>, and whether more matched.</summary>
    public async Task<(IReadOnlyList<string> Tenants, bool Truncated)> ListAsync(string? prefix, int limit, CancellationToken cancellationToken)
    {
        Snapshot snapshot = await CurrentAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!snapshot.Complete)
        {
            return await clickHouse.TenantsAsync(prefix, limit, cancellationToken).ConfigureAwait(false);
        }

        return Filter(snapshot.Names, prefix, limit);
    }

    /// <summary>Reads the list in the background (at start), so the first page load finds it.</summary>
    public void Warm() => _ = CurrentAsync().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);

    /// <summary>The names of a sorted (ordinal) list that start with <paramref name="prefix"/>, at most <paramref name="limit"/>.</summary>
    public static (IReadOnlyList<string> Tenants, bool Truncated) Filter(string[] sorted, string? prefix, int limit)
    {
        int start = 0;
        if (!string.IsNullOrEmpty(prefix))
        {
            start = Array.BinarySearch(sorted, prefix, StringComparer.Ordinal);
            start = start < 0 ? ~start : start;
        }

        var names = new List<string>(Math.Min(limit, 256));
        int i = start;
        for (; i < sorted.Length && sorted[i].StartsWith(prefix ?? "", StringComparison.Ordinal); i++)
        {
            if (names.Count == limit)
            {
                return (names, true);
            }

            names.Add(sorted[i]);
        }

        return (names, false);
    }

    private Task<Snapshot> CurrentAsync()
    {
        lock (_lock)
        {
            Snapshot? snapshot = _snapshot;
            bool fresh = snapshot is not null && time.GetUtcNow() - snapshot.Read < MaxAge;
            if (!fresh && _refresh is null)
            {
                // Off the lock: the read's synchronous start (and its finally, should it fail at once) never runs inside it.
                _refresh = Task.Run(ReadAsync);
            }

            // A stale list answers while the new one is read; only before the first read does anyone wait.
            return snapshot is not null ? Task.FromResult(snapshot) : _refresh!;
        }
    }

    private async Task<Snapshot> ReadAsync()
    {
        try
        {
            (IReadOnlyList<string> names, bool truncated) = await clickHouse.TenantsAsync(null, MaxNames, CancellationToken.None).ConfigureAwait(false);
            var snapshot = new Snapshot([.. names], !truncated, time.GetUtcNow());
            lock (_lock)
            {
                _snapshot = snapshot;
            }

            return snapshot;
        }
        finally
        {
            lock (_lock)
            {
                _refresh = null;
            }
        }
    }

    private sealed record Snapshot(string[] Names, bool Complete, DateTimeOffset Read);
}
