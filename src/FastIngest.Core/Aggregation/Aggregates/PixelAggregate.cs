using System.Runtime.InteropServices;
using FastIngest.Core.Sinks;

namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary>
/// <c>pixel_1m</c>: hits per tenant, pixel key and minute. Keys past
/// <see cref="AggregationOptions.MaxPixelKeys"/> count under <c>(other)</c>. Owned by one shard.
/// </summary>
internal sealed class PixelAggregate
{
    private readonly Dictionary<PixelKey, ulong> _pixels = [];
    private readonly NameTable _keys;
    private readonly InternedName _otherKey;
    // Read by metrics from other threads; written only by the owning shard.
    private long _keysFolded;

    public PixelAggregate(ShardNames names)
    {
        _keys = names.PixelKeys;
        _otherKey = names.OtherPixelKey;
    }

    public bool IsEmpty => _pixels.Count == 0;

    /// <summary>Hits counted since the last <see cref="Clear"/>; what the flush reports as <see cref="FlushBatch.PixelHits"/>.</summary>
    public long Hits { get; private set; }

    /// <summary>Hits counted under <c>(other)</c> so far.</summary>
    public long KeysFolded => Volatile.Read(ref _keysFolded);

    /// <summary>Counts a hit; returns the id the key counted under, for its visitor.</summary>
    public int Count(InternedName tenant, ReadOnlySpan<byte> key, long timestampMs)
    {
        if (!_keys.TryGet(key, out InternedName interned))
        {
            interned = _otherKey;
            Volatile.Write(ref _keysFolded, _keysFolded + 1);
        }

        uint minute = (uint)(timestampMs / 60_000 * 60);
        ref ulong hits = ref CollectionsMarshal.GetValueRefOrAddDefault(_pixels, new PixelKey(tenant.Id, interned.Id, minute), out _);
        hits++;
        Hits++;
        return interned.Id;
    }

    public void ProjectInto(FlushBatch batch, NameTable tenants)
    {
        foreach (KeyValuePair<PixelKey, ulong> pair in _pixels)
        {
            batch.Pixels.Add(new PixelRow(tenants[pair.Key.TenantId].NameUtf8, _keys[pair.Key.KeyId].NameUtf8, pair.Key.Minute, pair.Value));
        }

        batch.PixelHits = Hits;
    }

    public void Clear()
    {
        _pixels.Clear();
        Hits = 0;
    }

    /// <summary>Hits of one pixel key of a tenant in one minute.</summary>
    private readonly record struct PixelKey(int TenantId, int KeyId, uint Minute);
}
