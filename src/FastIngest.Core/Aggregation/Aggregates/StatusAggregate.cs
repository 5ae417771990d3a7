using System.Runtime.InteropServices;
using FastIngest.Core.Sinks;

namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary><c>status_1m</c>: requests per tenant, minute and exact status. Owned by one shard.</summary>
internal sealed class StatusAggregate
{
    private readonly Dictionary<StatusKey, ulong> _statuses = [];

    public bool IsEmpty => _statuses.Count == 0;

    /// <param name="minute">Unix seconds at the start of the record's minute.</param>
    public void Count(InternedName tenant, uint minute, ushort status)
    {
        ref ulong statusCount = ref CollectionsMarshal.GetValueRefOrAddDefault(_statuses, new StatusKey(tenant.Id, minute, status), out _);
        statusCount++;
    }

    public void ProjectInto(FlushBatch batch, NameTable tenants)
    {
        foreach (KeyValuePair<StatusKey, ulong> pair in _statuses)
        {
            batch.Statuses.Add(new StatusRow(tenants[pair.Key.TenantId].NameUtf8, pair.Key.Minute, pair.Key.Status, pair.Value));
        }
    }

    public void Clear() => _statuses.Clear();

    private readonly record struct StatusKey(int TenantId, uint Minute, ushort Status);
}
