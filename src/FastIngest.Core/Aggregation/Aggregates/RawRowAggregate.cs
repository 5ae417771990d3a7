using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Agents;
using FastIngest.Core.Sinks;

namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary>
/// <c>requests_raw</c>: one row per request of the opted-in tenants (<see cref="RawRowsOptions"/>), up to
/// <see cref="RawRowsOptions.MaxRowsPerFlush"/> per flush interval; past it a request still counts in
/// every other table, and the row it would have had is counted as dropped. Owned by one shard, which
/// creates it only when some tenant is opted in.
/// </summary>
internal sealed class RawRowAggregate
{
    private readonly TenantAllowList _tenants;
    private readonly int _maxRows;
    private readonly byte[] _host = new byte[RawRowSet.MaxReferrerHostBytes];
    private readonly byte[] _agentClass = new byte[AgentClassText.MaxBytes];
    private RawRowSet _rows = new();
    private long _kept;
    private long _dropped;

    public RawRowAggregate(RawRowsOptions options)
    {
        _tenants = new TenantAllowList(options.Tenants);
        _maxRows = options.MaxRowsPerFlush;
    }

    public bool IsEmpty => _rows.Count == 0;

    /// <summary>Rows handed to the sink so far (read by metrics from other threads).</summary>
    public long Kept => Volatile.Read(ref _kept);

    /// <summary>Requests of opted-in tenants that got no row: the interval's cap was reached.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>
    /// Whether <paramref name="tenant"/> is opted in, decided once and kept on the shard's interned name:
    /// a tenant not opted in costs one field read per line afterwards.
    /// </summary>
    public bool Wants(InternedName tenant)
    {
        bool? decided = tenant.KeepsRawRows;
        if (decided is bool wants)
        {
            return wants;
        }

        wants = _tenants.Allows(tenant.NameUtf8);
        tenant.KeepsRawRows = wants;
        return wants;
    }

    /// <param name="visitor">The line's visitor hash, as <c>visitors_1d</c> got it; 0 for none (no address, DNT, a bot).</param>
    /// <param name="agent">The line's user-agent class, kept as <c>agent_class</c>'s text.</param>
    public void Count(InternedName tenant, in AccessLogRecord record, ulong visitor, UserAgentClass agent)
    {
        if (_rows.Count >= _maxRows)
        {
            Volatile.Write(ref _dropped, _dropped + 1);
            return;
        }

        long ms = record.TimestampMs;
        var row = new RawRow
        {
            Tenant = tenant.NameUtf8,
            Time = (uint)(ms / 1000),
            TimeMs = (ushort)(ms % 1000),
            Status = record.Status,
            BytesSent = record.BytesSent > 0 ? (ulong)record.BytesSent : 0,
            BodyBytesSent = record.BodyBytesSent > 0 ? (ulong)record.BodyBytesSent : 0,
            RequestTimeMs = record.RequestTimeMs > 0 ? (uint)record.RequestTimeMs : 0,
            CacheStatus = (byte)record.CacheStatus,
            Visitor = visitor,
        };
        int hostLength = record.Referer.IsEmpty ? 0 : ReferrerHost.Extract(record.Text(record.Referer), _host);
        int classLength = AgentClassText.Write(agent, _agentClass);
        _rows.Add(row, record.Text(record.Method), record.Text(record.Path), _host.AsSpan(0, hostLength), _agentClass.AsSpan(0, classLength));
    }

    /// <summary>Gives the interval's rows to <paramref name="batch"/> and takes its empty set for the next one.</summary>
    public void ProjectInto(FlushBatch batch)
    {
        Volatile.Write(ref _kept, _kept + _rows.Count);
        _rows = batch.SwapRawRows(_rows);
    }
}
