using System.IO.Hashing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// A shard's tenants (or pixel keys, paths, event types), found by the XxHash3 of their UTF-8 name, so
/// the hot path never builds a string. Only the owning shard touches it: no locks. Capped, so a flood of
/// invented names cannot grow memory without bound: in names (the capacity) and in bytes (a name is cut
/// to <see cref="MaxNameBytes"/>, and a shared <see cref="NameBudget"/> caps what the tables hold together).
/// </summary>
/// <remarks>
/// Ids are dense and reused after <see cref="Recycle"/>: only call it when no bucket holds an id (right
/// after a flush, which clears every bucket). Rows carry <see cref="InternedName.NameUtf8"/>, never an
/// id, and a name's bytes are never rewritten, so a batch still queued in the sink stays correct after
/// its names are forgotten.
/// </remarks>
internal sealed class NameTable
{
    private readonly Dictionary<ulong, InternedName> _byHash = [];
    private readonly List<InternedName?> _byId = [];
    // Ids of forgotten names, reused before the list grows; stays empty for tables never recycled.
    private readonly Stack<int> _freeIds = new();
    private readonly int _capacity;
    private readonly int _pinned;
    private readonly int _sweepAt;
    // Where an over-long name is cut and marked before it is looked up: allocated once, never per line.
    private readonly byte[] _cut;
    private readonly NameBudget? _budget;
    private int _generation;
    // Names added with pin: true (configured tenants): on top of the capacity, never forgotten.
    private int _extraPinned;
    // Read by metrics from other threads; written only by the owning shard.
    private long _truncated;

    /// <param name="capacity">Names kept at most (the fold name, when given, comes on top).</param>
    /// <param name="other">
    /// The name that stands for everything past the cap, e.g. <c>(other)</c>: interned first as id 0
    /// and never forgotten. Empty for a table without one (tenants).
    /// </param>
    /// <param name="maxNameBytes">Longer names are cut (see <see cref="Truncate"/>); at least 16.</param>
    /// <param name="budget">Bytes this table shares with the shard's other tables; null for none.</param>
    public NameTable(int capacity, ReadOnlySpan<byte> other = default, int maxNameBytes = AggregationOptions.DefaultMaxNameBytes, NameBudget? budget = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNameBytes, 16);
        MaxNameBytes = maxNameBytes;
        _cut = new byte[maxNameBytes];
        if (!other.IsEmpty)
        {
            _capacity = 1;
            TryGet(other, out InternedName interned);
            Other = interned;
            _pinned = 1;
        }

        // Set after the fold name is in: (other) is never charged and never forgotten.
        _budget = budget;
        _capacity = capacity + _pinned;
        // Sweep past three quarters full: early enough that a table filling up slowly gets room back
        // before new names fold, late enough that a table well under its cap never pays for a sweep.
        _sweepAt = _pinned + Math.Max(1, capacity / 4 * 3);
    }

    /// <summary>Names kept now, the fold name included.</summary>
    public int Count => _byId.Count - _freeIds.Count;

    /// <summary>Names kept that count against the capacity: neither the fold name nor pinned ones.</summary>
    public int Unpinned => Count - _pinned - _extraPinned;

    /// <summary>True when a name that is not pinned cannot be added: the capacity is reached.</summary>
    public bool IsFull => Count - _extraPinned >= _capacity;

    /// <summary>
    /// What a name is stamped with when it is used (<see cref="InternedName.LastUsed"/>). Tables that
    /// <see cref="Recycle"/> count flush intervals in it; the tenant table is set to the shard's clock in
    /// seconds instead, for <see cref="ForgetIdle"/>.
    /// </summary>
    public int Generation
    {
        get => _generation;
        set => _generation = value;
    }

    /// <summary>The fold name given to the constructor; null when there is none.</summary>
    public InternedName? Other { get; }

    /// <summary>The longest name stored, in bytes; longer ones are cut and marked.</summary>
    public int MaxNameBytes { get; }

    /// <summary>Lookups (so lines, hits or events) whose name was longer than <see cref="MaxNameBytes"/>.</summary>
    public long Truncated => Volatile.Read(ref _truncated);

    public InternedName this[int id] => _byId[id]!;

    /// <summary>
    /// The mark a cut name ends with: U+2026 HORIZONTAL ELLIPSIS (3 bytes, within the cap), so a cut name
    /// reads as cut in ClickHouse. A real name that happens to end the same way merely counts together
    /// with the cut names of its prefix: totals stay exact.
    /// </summary>
    public static ReadOnlySpan<byte> CutMark => "\u2026"u8;

    /// <summary>
    /// Cuts <paramref name="name"/> to at most <paramref name="destination"/>'s length: its longest
    /// prefix that ends on a UTF-8 boundary and leaves room for <see cref="CutMark"/>, then the mark.
    /// Two long names with the same prefix become the same name: they count together, nothing is lost.
    /// </summary>
    /// <returns>The bytes written.</returns>
    public static int Truncate(ReadOnlySpan<byte> name, Span<byte> destination)
    {
        int keep = Math.Min(name.Length, destination.Length - CutMark.Length);
        // name[keep] is the first byte dropped: while it continues a sequence, the cut would split that
        // sequence, so step back to its lead byte (at most 3 steps: UTF-8 sequences are 4 bytes at most;
        // beyond that the input is not UTF-8 anyway and any cut is as good as another).
        for (int back = 0; back < 3 && keep > 0 && keep < name.Length && (name[keep] & 0xC0) == 0x80; back++)
        {
            keep--;
        }

        name[..keep].CopyTo(destination);
        CutMark.CopyTo(destination[keep..]);
        return keep + CutMark.Length;
    }

    public bool TryGet(ReadOnlySpan<byte> name, out InternedName interned)
    {
        if (name.Length > MaxNameBytes)
        {
            name = Cut(name);
        }

        return TryGetExact(XxHash3.HashToUInt64(name), name, out interned);
    }

    /// <summary>Finds or adds the name; false only when adding would pass the cap or the byte budget.</summary>
    /// <param name="hash">XxHash3 of <paramref name="name"/> as given (recomputed when it is cut).</param>
    public bool TryGet(ulong hash, ReadOnlySpan<byte> name, out InternedName interned)
    {
        if (name.Length > MaxNameBytes)
        {
            name = Cut(name);
            hash = XxHash3.HashToUInt64(name);
        }

        return TryGetExact(hash, name, out interned);
    }

    /// <summary>
    /// Finds or adds the name as pinned: on top of the capacity and outside the byte budget, and never
    /// forgotten (a configured tenant). A name found already unpinned stays as it is until forgotten.
    /// </summary>
    public void GetPinned(ulong hash, ReadOnlySpan<byte> name, out InternedName interned)
    {
        if (name.Length > MaxNameBytes)
        {
            name = Cut(name);
            hash = XxHash3.HashToUInt64(name);
        }

        if (!TryFindExact(hash, name, out interned))
        {
            interned = Add(hash, name, pinned: true);
            _extraPinned++;
        }
    }

    private bool TryGetExact(ulong hash, ReadOnlySpan<byte> name, out InternedName interned)
    {
        if (TryFindExact(hash, name, out interned))
        {
            return true;
        }

        if (IsFull || (_budget is not null && !_budget.TryCharge(name.Length)))
        {
            return false;
        }

        interned = Add(hash, name, pinned: false);
        return true;
    }

    private InternedName Add(ulong hash, ReadOnlySpan<byte> name, bool pinned)
    {
        _byHash.TryGetValue(hash, out InternedName? first);
        int id = _freeIds.TryPop(out int free) ? free : _byId.Count;
        var interned = new InternedName(id, hash, name) { NextWithSameHash = first, LastUsed = _generation, Pinned = pinned };
        _byHash[hash] = interned;
        if (id == _byId.Count)
        {
            _byId.Add(interned);
        }
        else
        {
            _byId[id] = interned;
        }

        return interned;
    }

    /// <summary>Finds the name (cut as <see cref="TryGet(ReadOnlySpan{byte}, out InternedName)"/> cuts it) without adding it.</summary>
    public bool TryFind(ReadOnlySpan<byte> name, out InternedName interned)
    {
        if (name.Length > MaxNameBytes)
        {
            name = Cut(name);
        }

        return TryFindExact(XxHash3.HashToUInt64(name), name, out interned);
    }

    /// <summary>Finds the name by its hash (as <see cref="TryGet(ulong, ReadOnlySpan{byte}, out InternedName)"/> takes it) without adding it.</summary>
    public bool TryFind(ulong hash, ReadOnlySpan<byte> name, out InternedName interned)
    {
        if (name.Length > MaxNameBytes)
        {
            name = Cut(name);
            hash = XxHash3.HashToUInt64(name);
        }

        return TryFindExact(hash, name, out interned);
    }

    private bool TryFindExact(ulong hash, ReadOnlySpan<byte> name, out InternedName interned)
    {
        if (_byHash.TryGetValue(hash, out InternedName? first))
        {
            for (InternedName? n = first; n is not null; n = n.NextWithSameHash)
            {
                if (name.SequenceEqual(n.NameUtf8))
                {
                    // A plain int store: no write barrier, so marking use costs the hot path nothing.
                    n.LastUsed = _generation;
                    interned = n;
                    return true;
                }
            }
        }

        interned = null!;
        return false;
    }

    /// <summary>
    /// Ends an interval. Once the table is three quarters full it forgets the names the interval did
    /// not use, and when that still leaves it full (a flood of names each used once, all in this
    /// interval) it forgets every name but the fold name. Without this, a long-running server folds
    /// every new name into <c>(other)</c> forever once it has seen as many names as the cap, long after
    /// the old ones stopped coming. Call only when no bucket refers to an id. Returns the names forgotten.
    /// </summary>
    /// <param name="forgetUnused">
    /// Forget the unused names even below three quarters of the cap: the shard's byte budget is three
    /// quarters spent (<see cref="ShardNames.Recycle"/> decides, since the budget is shared).
    /// </param>
    public int Recycle(bool forgetUnused = false)
    {
        int forgotten = 0;
        if (Count >= _sweepAt || forgetUnused)
        {
            forgotten = Forget(_generation);
            if (Count >= _capacity)
            {
                forgotten += Forget(int.MinValue);
            }
        }

        _generation++;
        return forgotten;
    }

    /// <summary>Forgets every name but the fold name; call only when no bucket refers to an id.</summary>
    public int ForgetAll() => Forget(int.MinValue);

    /// <summary>
    /// Forgets every name not pinned whose <see cref="InternedName.LastUsed"/> is before
    /// <paramref name="usedBefore"/> (in <see cref="Generation"/> units): idle tenants. Their ids go back
    /// to the free list. Call only when no bucket refers to an id (right after a flush). Returns the count.
    /// </summary>
    public int ForgetIdle(int usedBefore)
    {
        int forgotten = 0;
        for (int id = _pinned; id < _byId.Count; id++)
        {
            InternedName? name = _byId[id];
            if (name is not null && !name.Pinned && name.LastUsed < usedBefore)
            {
                Drop(id, name);
                forgotten++;
            }
        }

        return forgotten;
    }

    /// <summary>Cuts an over-long name into <see cref="_cut"/> and counts it.</summary>
    private ReadOnlySpan<byte> Cut(ReadOnlySpan<byte> name)
    {
        Volatile.Write(ref _truncated, _truncated + 1);
        return _cut.AsSpan(0, Truncate(name, _cut));
    }

    /// <summary>Forgets every name (but the pinned ones) whose last use is not <paramref name="keep"/>.</summary>
    private int Forget(int keep)
    {
        int forgotten = 0;
        for (int id = _pinned; id < _byId.Count; id++)
        {
            InternedName? name = _byId[id];
            if (name is null || name.LastUsed == keep || name.Pinned)
            {
                continue;
            }

            Drop(id, name);
            forgotten++;
        }

        return forgotten;
    }

    private void Drop(int id, InternedName name)
    {
        Unlink(name);
        _budget?.Release(name.NameUtf8.Length);
        _byId[id] = null;
        _freeIds.Push(id);
    }

    private void Unlink(InternedName name)
    {
        InternedName first = _byHash[name.Hash];
        if (ReferenceEquals(first, name))
        {
            if (name.NextWithSameHash is null)
            {
                _byHash.Remove(name.Hash);
            }
            else
            {
                _byHash[name.Hash] = name.NextWithSameHash;
            }

            return;
        }

        InternedName previous = first;
        while (!ReferenceEquals(previous.NextWithSameHash, name))
        {
            previous = previous.NextWithSameHash!;
        }

        previous.NextWithSameHash = name.NextWithSameHash;
    }
}
