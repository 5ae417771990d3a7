namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary>
/// The shard's path table as the path and event aggregates share it, under the
/// <see cref="AggregationOptions.MaxPathsPerTenant"/> budget: the distinct paths each tenant named this
/// interval (access-log paths and event paths alike), and how many that is per tenant id. Its own type
/// because both aggregates spend the same budget; cleared by the shard at every flush.
/// </summary>
internal sealed class PathBudget
{
    private readonly NameTable _paths;
    private readonly int _maxPathsPerTenant;
    private readonly HashSet<TenantPathKey> _tenantPaths = [];
    // Grows when a new tenant id appears (which allocates its name anyway).
    private int[] _pathsByTenant = new int[16];
    // Read by metrics from other threads; written only by the owning shard.
    private long _folded;

    public PathBudget(ShardNames names, int maxPathsPerTenant)
    {
        _paths = names.Paths;
        Other = names.OtherPath;
        _maxPathsPerTenant = maxPathsPerTenant;
    }

    /// <summary>The path everything past a cap counts under: <c>(other)</c>.</summary>
    public InternedName Other { get; }

    /// <summary>Lines and events counted under <see cref="Other"/> so far.</summary>
    public long Folded => Volatile.Read(ref _folded);

    public void CountFolded() => Volatile.Write(ref _folded, _folded + 1);

    /// <summary>
    /// A tenant with budget left may add the path to the shard's table; one without may only use a path
    /// the table already knows (and only if it named that path this interval, which
    /// <see cref="TryAdmit"/> checks), so a tenant past its budget can't fill the table every tenant shares.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> name, int pathsNamed, out InternedName path) =>
        pathsNamed < _maxPathsPerTenant ? _paths.TryGet(name, out path) : _paths.TryFind(name, out path);

    /// <summary>
    /// Called only for a row the interval doesn't have yet (the usual line finds its row and skips this).
    /// True when the tenant already named this path this interval (another hour, minute or event type)
    /// or has budget left to name it now; false means: count it under <c>(other)</c>.
    /// </summary>
    public bool TryAdmit(int tenantId, int pathId, ref int pathsNamed)
    {
        var key = new TenantPathKey(tenantId, pathId);
        if (pathsNamed < _maxPathsPerTenant)
        {
            if (_tenantPaths.Add(key))
            {
                pathsNamed++;
            }

            return true;
        }

        return _tenantPaths.Contains(key);
    }

    /// <summary>How many distinct paths the tenant named this interval.</summary>
    public ref int PathsNamedBy(int tenantId)
    {
        if ((uint)tenantId >= (uint)_pathsByTenant.Length)
        {
            // Only when the shard meets a new tenant id, which allocates its name anyway.
            Array.Resize(ref _pathsByTenant, Math.Max(tenantId + 1, _pathsByTenant.Length * 2));
        }

        return ref _pathsByTenant[tenantId];
    }

    /// <summary>Starts the next interval with every tenant's budget whole.</summary>
    public void Clear()
    {
        _tenantPaths.Clear();
        Array.Clear(_pathsByTenant);
    }

    /// <summary>A path a tenant named this flush interval: what its budget counts.</summary>
    private readonly record struct TenantPathKey(int TenantId, int PathId);
}
