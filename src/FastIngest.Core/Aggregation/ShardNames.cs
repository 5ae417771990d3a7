namespace FastIngest.Core.Aggregation;

/// <summary>
/// The names one shard knows: tenants, pixel keys, event types and paths, each a capped
/// <see cref="NameTable"/>, every name cut to <c>MaxNameBytes</c>, and the three folding tables within
/// one <see cref="NameBudget"/> of bytes. Their own type, not a field of any aggregate, because aggregates share them
/// (every aggregate names tenants; paths are the path and event aggregates'; pixel keys the pixel and
/// visitor aggregates') and a table may only <see cref="NameTable.Recycle"/> once every aggregate has
/// cleared its buckets, which only the shard knows.
/// </summary>
internal sealed class ShardNames
{
    public ShardNames(int maxTenants, int maxPixelKeys, int maxEventTypes, int maxPaths,
        int maxNameBytes = AggregationOptions.DefaultMaxNameBytes, long maxNameBytesPerShard = long.MaxValue)
    {
        // Tenants stay out of the budget: refusing a tenant is item 1's policy (too_many_tenants), not
        // a side effect of a path flood. Their names are at most 64 bytes (NameRules), so MaxTenants bounds them.
        Tenants = new NameTable(maxTenants, default, maxNameBytes);
        Budget = new NameBudget(maxNameBytesPerShard, maxNameBytes);
        // "(other)" can't be a real key (parentheses are outside the key alphabet), so folding is visible.
        PixelKeys = new NameTable(maxPixelKeys, "(other)"u8, maxNameBytes, Budget);
        OtherPixelKey = PixelKeys.Other!;
        EventTypes = new NameTable(maxEventTypes, "(other)"u8, maxNameBytes, Budget);
        OtherEventType = EventTypes.Other!;
        Paths = new NameTable(maxPaths, "(other)"u8, maxNameBytes, Budget);
        OtherPath = Paths.Other!;
    }

    /// <summary>The bytes the path, pixel key and event type tables share.</summary>
    public NameBudget Budget { get; }

    public NameTable Tenants { get; }

    public NameTable PixelKeys { get; }

    public InternedName OtherPixelKey { get; }

    public NameTable EventTypes { get; }

    public InternedName OtherEventType { get; }

    public NameTable Paths { get; }

    public InternedName OtherPath { get; }

    /// <summary>
    /// Lets the folding tables forget names the interval did not use. Call right after a flush cleared
    /// every bucket: no bucket refers to a name id then (rows carry the names' bytes). The tenant table
    /// is not recycled. The shared byte budget works like each table's count cap: three quarters spent,
    /// every table forgets what the interval did not use; still full (a flood of names each used once),
    /// every table forgets everything but <c>(other)</c>, so the next interval names again.
    /// </summary>
    public void Recycle()
    {
        bool pressed = Budget.Used >= Budget.SweepAt;
        Paths.Recycle(pressed);
        PixelKeys.Recycle(pressed);
        EventTypes.Recycle(pressed);
        if (Budget.IsFull)
        {
            Paths.ForgetAll();
            PixelKeys.ForgetAll();
            EventTypes.ForgetAll();
        }
    }
}
