namespace FastIngest.Core.Parsing.Referrers;

/// <summary>
/// A frozen open-addressing set of short UTF-8 keys, each with an int value, looked up by a byte span
/// without transcoding or allocating (a FrozenDictionary&lt;string,…&gt; would need the host as chars first).
/// Built once at start from a list of a few hundred keys; at most half full, so probes stay short.
/// </summary>
internal sealed class Utf8KeyTable
{
    private readonly byte[] _keys;
    private readonly int[] _offsets;
    private readonly int[] _lengths;
    private readonly int[] _values;
    private readonly int[] _slots; // entry index + 1; 0 = empty
    private readonly int _mask;

    /// <summary>Builds the table; a key given twice is a mistake in the list and throws.</summary>
    public Utf8KeyTable(IReadOnlyList<(byte[] Key, int Value)> entries)
    {
        int total = 0;
        foreach ((byte[] key, int _) in entries)
        {
            total += key.Length;
        }

        _keys = new byte[total];
        _offsets = new int[entries.Count];
        _lengths = new int[entries.Count];
        _values = new int[entries.Count];
        int size = 16;
        while (size < entries.Count * 2)
        {
            size <<= 1;
        }

        _slots = new int[size];
        _mask = size - 1;
        int offset = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            (byte[] key, int value) = entries[i];
            if (TryGet(key, out _))
            {
                throw new ArgumentException("duplicate key " + System.Text.Encoding.UTF8.GetString(key), nameof(entries));
            }

            key.CopyTo(_keys, offset);
            _offsets[i] = offset;
            _lengths[i] = key.Length;
            _values[i] = value;
            offset += key.Length;
            int slot = (int)Hash(key) & _mask;
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & _mask;
            }

            _slots[slot] = i + 1;
        }
    }

    /// <summary>Finds <paramref name="key"/> (exact bytes) and its value.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out int value)
    {
        int slot = (int)Hash(key) & _mask;
        while (true)
        {
            int entry = _slots[slot] - 1;
            if (entry < 0)
            {
                value = 0;
                return false;
            }

            if (_keys.AsSpan(_offsets[entry], _lengths[entry]).SequenceEqual(key))
            {
                value = _values[entry];
                return true;
            }

            slot = (slot + 1) & _mask;
        }
    }

    // FNV-1a: hosts are short and the keys are ours, so a simple hash spreads them well enough; an
    // attacker choosing hosts can only make a probe over at most the table's own (few) entries.
    private static uint Hash(ReadOnlySpan<byte> key)
    {
        uint hash = 2166136261;
        foreach (byte b in key)
        {
            hash = (hash ^ b) * 16777619;
        }

        return hash ^ (hash >> 15);
    }
}
