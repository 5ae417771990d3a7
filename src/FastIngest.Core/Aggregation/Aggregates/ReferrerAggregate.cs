using System.Runtime.InteropServices;
using FastIngest.Core.Parsing.Referrers;
using FastIngest.Core.Sinks;

namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary>
/// <c>referrers_1d</c>, per (tenant, UTC day, source group, referring host, tagged source) and visitor: where
/// requests came from (issue 18, item 1). Each request counts one visit of its referrer; an asset
/// carries its page as referrer, so an external group's visits are the entries from that source plus
/// what those pages loaded with them, and internal visits are mostly a site's own pages and assets.
/// Hosts and tagged sources past <see cref="ReferrerOptions.MaxSourcesPerTenant"/> fold into the host
/// <c>(other)</c> of the same group, so totals per group stay exact. Owned by one shard.
/// </summary>
/// <remarks>
/// A bucket per visitor, not a uniq state per bucket: the write door folds the visitors into uniq states
/// (as <c>visitors_1d</c> does), and a busy visitor costs one row per referrer and interval, not one per hit.
/// The shard flushes early when <see cref="Held"/> reaches its visitor bound, so memory stays bounded.
/// </remarks>
internal sealed class ReferrerAggregate
{
    /// <summary>The name id of an empty host or tagged source: kept out of the table and its budget.</summary>
    private const int Empty = -1;
    private const long MsPerDay = 86_400_000;
    private static readonly byte[] s_empty = [];

    private readonly Dictionary<ReferrerKey, ulong> _visits = [];
    private readonly ReferrerBudget _budget;
    private readonly Dictionary<string, OwnHosts> _ownHosts = new(StringComparer.Ordinal);
    // The classifier writes the referring host here, TaggedSource the tagged source: reused for every line.
    private readonly byte[] _host = new byte[ReferrerClassifier.MaxHostBytes];
    private readonly byte[] _tagged = new byte[TaggedSource.MaxBytes];
    // Read by metrics from other threads; written only by the owning shard.
    private long _folded;

    public ReferrerAggregate(ReferrerOptions options)
    {
        _budget = new ReferrerBudget(options.MaxSourcesPerShard, options.MaxSourcesPerTenant);
        foreach ((string tenant, List<string> hosts) in options.OwnHosts)
        {
            _ownHosts[tenant] = new OwnHosts(hosts);
        }
    }

    public bool IsEmpty => _visits.Count == 0;

    /// <summary>Buckets held since the last flush: one per referrer and visitor.</summary>
    public int Held => _visits.Count;

    /// <summary>Requests counted under <c>(other)</c> past a budget so far.</summary>
    public long Folded => Volatile.Read(ref _folded);

    /// <summary>Names the shard's table holds now (hosts and tagged sources).</summary>
    public int Names => _budget.Names.Count;

    /// <summary>Counts one request's referrer. Allocation-free once the tenant and its names are known.</summary>
    /// <param name="referrer">The <c>Referer</c> header as sent; empty or <c>-</c> for none.</param>
    /// <param name="requestHost">The request's <c>Host</c>: its host (and subdomains) is internal.</param>
    /// <param name="pageQuery">
    /// The query of the page's URL (the request's, or the page the pixel reports), whose
    /// <c>utm_source</c>/<c>source</c>/<c>ref</c> is the tagged source; empty for none.
    /// </param>
    /// <param name="visitor">The request's visitor hash; 0 when it has none (no address, DNT/GPC).</param>
    public void Count(InternedName tenant, long timestampMs, ReadOnlySpan<byte> referrer, ReadOnlySpan<byte> requestHost, ReadOnlySpan<byte> pageQuery, ulong visitor)
    {
        ReferrerSource source = ReferrerClassifier.Classify(referrer, requestHost, OwnHostsOf(tenant), _host);
        int taggedLength = TaggedSource.ReadQuery(pageQuery, _tagged);
        int hostId = Empty, taggedId = Empty;
        bool named = (source.HostLength == 0 || _budget.TryName(tenant.Id, _host.AsSpan(0, source.HostLength), out hostId))
            && (taggedLength == 0 || _budget.TryName(tenant.Id, _tagged.AsSpan(0, taggedLength), out taggedId));
        if (!named)
        {
            // The same group, so its total stays exact; no tagged source, which is sender-chosen text too.
            hostId = _budget.Other.Id;
            taggedId = Empty;
            Volatile.Write(ref _folded, _folded + 1);
        }

        var key = new ReferrerKey(tenant.Id, (ushort)(timestampMs / MsPerDay), source.Group, hostId, taggedId, visitor);
        CollectionsMarshal.GetValueRefOrAddDefault(_visits, key, out _)++;
    }

    public void ProjectInto(FlushBatch batch, NameTable tenants)
    {
        NameTable names = _budget.Names;
        foreach (KeyValuePair<ReferrerKey, ulong> pair in _visits)
        {
            ReferrerKey key = pair.Key;
            byte[] host = key.HostId == Empty ? s_empty : names[key.HostId].NameUtf8;
            byte[] tagged = key.TaggedId == Empty ? s_empty : names[key.TaggedId].NameUtf8;
            batch.Referrers.Add(new ReferrerRow(tenants[key.TenantId].NameUtf8, key.Day, (byte)key.Group, host, tagged, pair.Value, key.Visitor));
        }
    }

    /// <summary>Empties the buckets and starts every tenant's budget anew; the name table may forget unused names.</summary>
    public void Clear()
    {
        _visits.Clear();
        _budget.Clear();
    }

    /// <summary>
    /// The tenant's own hosts, looked up once and kept on the shard's interned name: a tenant costs one
    /// field read per line afterwards (and nothing at all is looked up when no tenant lists hosts).
    /// </summary>
    private OwnHosts OwnHostsOf(InternedName tenant)
    {
        OwnHosts? own = tenant.OwnHosts;
        if (own is null)
        {
            // Once per tenant and shard: the name as a string only when some tenant lists hosts.
            own = _ownHosts.Count > 0 && _ownHosts.TryGetValue(tenant.Name, out OwnHosts? listed) ? listed : OwnHosts.None;
            tenant.OwnHosts = own;
        }

        return own;
    }

    /// <summary>One referrer of a tenant on one day, and one of its visitors (0: requests without one).</summary>
    private readonly record struct ReferrerKey(int TenantId, ushort Day, ReferrerGroup Group, int HostId, int TaggedId, ulong Visitor);
}
