namespace FastIngest.Core.Aggregation;

/// <summary>
/// The bytes one shard's folding name tables (paths, pixel keys, event types) may hold together, issue
/// 13: a count cap alone let 60,000 unique 8 KB paths hold 480 MB. Each name is charged its UTF-8 length
/// plus <see cref="OverheadBytes"/>, so the budget bounds what the tables really hold, not just the text.
/// Written only by the owning shard; read by nobody else.
/// </summary>
internal sealed class NameBudget
{
    /// <summary>
    /// What a name costs besides its bytes on .NET 10 x64: the <see cref="InternedName"/> (48 B),
    /// its array's header (24 B), its slots in the table's dictionary and id list with their growth slack
    /// (about 80 B), rounded up. <c>NameBudgetHeapTests</c> checks the managed heap against it.
    /// </summary>
    public const int OverheadBytes = 160;

    private readonly long _fullAt;

    /// <param name="maxBytes">The budget in bytes, overhead included.</param>
    /// <param name="maxNameBytes">The longest name a table stores: past <see cref="IsFull"/> it might not fit.</param>
    public NameBudget(long maxBytes, int maxNameBytes)
    {
        MaxBytes = maxBytes;
        _fullAt = maxBytes - Charge(maxNameBytes);
        SweepAt = maxBytes / 4 * 3;
    }

    public long MaxBytes { get; }

    /// <summary>Charged now, overhead included.</summary>
    public long Used { get; private set; }

    /// <summary>Three quarters of the budget: at a flush, tables forget the names the interval did not use.</summary>
    public long SweepAt { get; }

    /// <summary>True when the longest name might not fit: at a flush, tables forget every name.</summary>
    public bool IsFull => Used > _fullAt;

    /// <summary>What a name of this many bytes is charged.</summary>
    public static long Charge(int nameBytes) => nameBytes + (long)OverheadBytes;

    /// <summary>Charges a new name; false (nothing charged) when it would pass the budget.</summary>
    public bool TryCharge(int nameBytes)
    {
        long charge = Charge(nameBytes);
        if (Used + charge > MaxBytes)
        {
            return false;
        }

        Used += charge;
        return true;
    }

    /// <summary>Gives back what a forgotten name was charged.</summary>
    public void Release(int nameBytes) => Used -= Charge(nameBytes);
}
