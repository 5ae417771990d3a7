using System.IO.Hashing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// A shard's tenants (or pixel keys, paths, event types), found by the XxHash3 of their UTF-8 name, so
/// the hot path never builds a string. Only the owning shard touches it: no locks. Capped, so a flood of
/// invented names cannot grow memory without bound.
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
    private int _generation;

    /// <param name="capacity">Names kept at most (the fold name, when given, comes on top).</param>
    /// <param name="other">
    /// The name that stands for everything past the cap, e.g. <c>(other)</c>: interned first as id 0
    /// and never forgotten. Empty for a table without one (tenants).
    /// </param>
    public NameTable(int capacity, ReadOnlySpan<byte> other = default)
    {
        if (!other.IsEmpty)
        {
            _capacity = 1;
            TryGet(other, out InternedName interned);
            Other = interned;
            _pinned = 1;
        }

        _capacity = capacity + _pinned;
        // Sweep past three quarters full: early enough that a table filling up slowly gets room back
        // before new names fold, late enough that a table well under its cap never pays for a sweep.
        _sweepAt = _pinned + Math.Max(1, capacity / 4 * 3);
    }

    /// <summary>Names kept now, the fold name included.</summary>
    public int Count => _byId.Count - _freeIds.Count;

    /// <summary>The fold name given to the constructor; null when there is none.</summary>
    public InternedName? Other { get; }

    public InternedName this[int id] => _byId[id]!;

    public bool TryGet(ReadOnlySpan<byte> name, out InternedName interned) => TryGet(XxHash3.HashToUInt64(name), name, out interned);

    /// <summary>Finds or adds the name; false only when adding would pass the cap.</summary>
    public bool TryGet(ulong hash, ReadOnlySpan<byte> name, out InternedName interned)
    {
        if (TryFind(hash, name, out interned))
        {
            return true;
        }

        if (Count >= _capacity)
        {
            return false;
        }

        _byHash.TryGetValue(hash, out InternedName? first);
        int id = _freeIds.TryPop(out int free) ? free : _byId.Count;
        interned = new InternedName(id, hash, name) { NextWithSameHash = first, LastUsed = _generation };
        _byHash[hash] = interned;
        if (id == _byId.Count)
        {
            _byId.Add(interned);
        }
        else
        {
            _byId[id] = interned;
        }

        return true;
    }

    public bool TryFind(ReadOnlySpan<byte> name, out InternedName interned) => TryFind(XxHash3.HashToUInt64(name), name, out interned);

    /// <summary>Finds the name without adding it.</summary>
    public bool TryFind(ulong hash, ReadOnlySpan<byte> name, out InternedName interned)
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
    public int Recycle()
    {
        int forgotten = 0;
        if (Count >= _sweepAt)
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

    /// <summary>Forgets every name (but the pinned ones) whose last use is not <paramref name="keep"/>.</summary>
    private int Forget(int keep)
    {
        int forgotten = 0;
        for (int id = _pinned; id < _byId.Count; id++)
        {
            InternedName? name = _byId[id];
            if (name is null || name.LastUsed == keep)
            {
                continue;
            }

            Unlink(name);
            _byId[id] = null;
            _freeIds.Push(id);
            forgotten++;
        }

        return forgotten;
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
