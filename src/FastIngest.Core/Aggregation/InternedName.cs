using System.Text;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// A tenant, pixel key, path or event type as one shard knows it: created on the first message that
/// names it, so buckets are keyed by a dense int and rows carry ready UTF-8.
/// </summary>
internal sealed class InternedName
{
    public InternedName(int id, ulong hash, ReadOnlySpan<byte> name)
    {
        Id = id;
        Hash = hash;
        NameUtf8 = name.ToArray();
    }

    /// <summary>Dense, shard-local; a cheap dictionary key for buckets.</summary>
    public int Id { get; }

    public ulong Hash { get; }

    /// <summary>Written as-is into RowBinary.</summary>
    public byte[] NameUtf8 { get; }

    /// <summary>For logs and tests only (built on each call); the hot path uses <see cref="NameUtf8"/>.</summary>
    /// <remarks>Not kept: a path table holds up to 100,000 names, and a second copy as UTF-16 would double it.</remarks>
    public string Name => Encoding.UTF8.GetString(NameUtf8);

    /// <summary>The <see cref="NameTable"/> generation (flush interval) that last used this name.</summary>
    public int LastUsed { get; set; }

    /// <summary>
    /// For a tenant: whether it is opted in to <c>requests_raw</c>; null until its first access-log line
    /// asks (<see cref="Aggregates.RawRowAggregate.Wants"/>), so the list is looked up once per tenant.
    /// </summary>
    public bool? KeepsRawRows { get; set; }

    /// <summary>
    /// For a tenant: 1 + its index in <c>FastIngest:Metrics:TenantLabels</c>, -1 when not listed, 0 until its
    /// first access-log line asks (<see cref="Aggregates.TenantRequestCounters.Count"/>).
    /// </summary>
    public int MetricsSlot { get; set; }

    /// <summary>
    /// For a tenant: its own hosts (<see cref="ReferrerOptions.OwnHosts"/>, or none); null until its first
    /// referrer asks (<see cref="Aggregates.ReferrerAggregate"/>), so the options are looked up once per tenant.
    /// </summary>
    public Parsing.Referrers.OwnHosts? OwnHosts { get; set; }

    /// <summary>A configured tenant: outside the cap, never forgotten.</summary>
    public bool Pinned { get; init; }

    /// <summary>Next name with the same 64-bit hash (in practice never set).</summary>
    public InternedName? NextWithSameHash { get; set; }
}
