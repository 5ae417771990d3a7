namespace FastIngest.Core.Aggregation;

/// <summary>
/// The names one shard knows: tenants, pixel keys, event types and paths, each a capped
/// <see cref="NameTable"/>. Their own type, not a field of any aggregate, because aggregates share them
/// (every aggregate names tenants; paths are the path and event aggregates'; pixel keys the pixel and
/// visitor aggregates') and a table may only <see cref="NameTable.Recycle"/> once every aggregate has
/// cleared its buckets, which only the shard knows.
/// </summary>
internal sealed class ShardNames
{
    public ShardNames(int maxTenants, int maxPixelKeys, int maxEventTypes, int maxPaths)
    {
        Tenants = new NameTable(maxTenants);
        // "(other)" can't be a real key (parentheses are outside the key alphabet), so folding is visible.
        PixelKeys = new NameTable(maxPixelKeys, "(other)"u8);
        OtherPixelKey = PixelKeys.Other!;
        EventTypes = new NameTable(maxEventTypes, "(other)"u8);
        OtherEventType = EventTypes.Other!;
        Paths = new NameTable(maxPaths, "(other)"u8);
        OtherPath = Paths.Other!;
    }

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
    /// is not recycled.
    /// </summary>
    public void Recycle()
    {
        Paths.Recycle();
        PixelKeys.Recycle();
        EventTypes.Recycle();
    }
}
