using System.IO.Hashing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// A shard's tenants (or pixel keys), found by the XxHash3 of their UTF-8 name, so the hot path never
/// builds a string. Only the owning shard touches it: no locks. Capped, so a flood of invented names
/// cannot grow memory without bound.
/// </summary>
internal sealed class NameTable
{
    private readonly Dictionary<ulong, InternedName> _byHash = [];
    private readonly List<InternedName> _all = [];
    private readonly int _capacity;

    public NameTable(int capacity) => _capacity = capacity;

    public int Count => _all.Count;

    public bool IsFull => _all.Count >= _capacity;

    public InternedName this[int id] => _all[id];

    public bool TryGet(ReadOnlySpan<byte> name, out InternedName interned) => TryGet(XxHash3.HashToUInt64(name), name, out interned);

    /// <summary>Finds the name without adding it.</summary>
    public bool TryFind(ReadOnlySpan<byte> name, out InternedName interned)
    {
        if (_byHash.TryGetValue(XxHash3.HashToUInt64(name), out InternedName? first))
        {
            for (InternedName? n = first; n is not null; n = n.NextWithSameHash)
            {
                if (name.SequenceEqual(n.NameUtf8))
                {
                    interned = n;
                    return true;
                }
            }
        }

        interned = null!;
        return false;
    }

    /// <summary>
    /// Forgets every name but the first <paramref name="kept"/> (ids 0 to kept - 1 stay valid). Only for a
    /// table whose ids no bucket holds past a flush: then a long-running server makes room for the names
    /// of today instead of folding everything new into (other) once it has seen as many as the cap.
    /// </summary>
    public void Recycle(int kept)
    {
        _all.RemoveRange(kept, _all.Count - kept);
        _byHash.Clear();
        foreach (InternedName name in _all)
        {
            name.NextWithSameHash = null;
            _byHash[name.Hash] = name;
        }
    }

    /// <summary>Finds or adds the name; false only when adding would pass the cap.</summary>
    public bool TryGet(ulong hash, ReadOnlySpan<byte> name, out InternedName interned)
    {
        if (_byHash.TryGetValue(hash, out InternedName? first))
        {
            for (InternedName? n = first; n is not null; n = n.NextWithSameHash)
            {
                if (name.SequenceEqual(n.NameUtf8))
                {
                    interned = n;
                    return true;
                }
            }
        }

        if (_all.Count >= _capacity)
        {
            interned = null!;
            return false;
        }

        interned = new InternedName(_all.Count, hash, name) { NextWithSameHash = first };
        _byHash[hash] = interned;
        _all.Add(interned);
        return true;
    }
}
