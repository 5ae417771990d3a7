using System.Text;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// A tenant or pixel key as one shard knows it: created once, on the first message that names it, so
/// buckets are keyed by a dense int and rows carry ready UTF-8.
/// </summary>
internal sealed class InternedName
{
    public InternedName(int id, ulong hash, ReadOnlySpan<byte> name)
    {
        Id = id;
        Hash = hash;
        NameUtf8 = name.ToArray();
        Name = Encoding.UTF8.GetString(name);
    }

    /// <summary>Dense, shard-local; a cheap dictionary key for buckets.</summary>
    public int Id { get; }

    public ulong Hash { get; }

    /// <summary>Written as-is into RowBinary.</summary>
    public byte[] NameUtf8 { get; }

    /// <summary>For logs and tests only; the hot path uses <see cref="NameUtf8"/>.</summary>
    public string Name { get; }

    /// <summary>Next name with the same 64-bit hash (in practice never set).</summary>
    public InternedName? NextWithSameHash { get; set; }
}
