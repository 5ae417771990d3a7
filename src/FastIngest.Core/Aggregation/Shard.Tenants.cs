using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// The tenant lifecycle (issue 13): which tenants a shard admits, and when it forgets them. Configured
/// tenants (<see cref="KnownTenants"/>) are pinned: always admitted, outside the cap, never forgotten.
/// Others are admitted by <see cref="TenantAdmission"/> up to the cap and forgotten once idle.
/// </summary>
internal sealed partial class Shard
{
    /// <summary>How long a tenant may be idle while the table is three quarters full.</summary>
    public static readonly TimeSpan PressureIdleTimeout = TimeSpan.FromMinutes(5);

    private Func<long> _clock = static () => Environment.TickCount64 / 1000;

    /// <summary>
    /// Finds the tenant, or admits it: a configured one always, another one if the table has room and
    /// the door's and the address's budgets allow. Returns why not, else <see cref="RejectReason.None"/>.
    /// </summary>
    private RejectReason ResolveTenant(IngestSource source, in IngestEntry entry, ulong hash, ReadOnlySpan<byte> name, out InternedName tenant)
    {
        NameTable tenants = _names.Tenants;
        if (tenants.TryFind(hash, name, out tenant))
        {
            return RejectReason.None;
        }

        if (_known.Contains(hash, name))
        {
            tenants.GetPinned(hash, name, out tenant);
            return RejectReason.None;
        }

        // The hard cap first: a refusal for a full table spends no door's or address's budget.
        if (tenants.IsFull)
        {
            return RejectReason.TooManyTenants;
        }

        RejectReason refused = _admission.TryAdmit(source, entry.Sender, entry.ArrivedAt, tenants.Unpinned);
        if (refused != RejectReason.None)
        {
            return refused;
        }

        return tenants.TryGet(hash, name, out tenant) ? RejectReason.None : RejectReason.TooManyTenants;
    }

    /// <summary>
    /// Sets the tenant table's clock and, at most once a second, forgets the tenants idle for
    /// <see cref="AggregationOptions.TenantIdleTimeout"/> (for <see cref="PressureIdleTimeout"/> when that
    /// is shorter and the table is three quarters full). Call only when no bucket refers to a tenant id:
    /// right after a flush cleared them, or at a flush that found them empty; so whatever a forgotten
    /// tenant counted is in a batch already, and its id may go to a new tenant.
    /// </summary>
    /// <param name="nowSeconds">The shard's clock in seconds (monotonic).</param>
    /// <returns>The tenants forgotten.</returns>
    internal int ForgetIdleTenants(long nowSeconds)
    {
        NameTable tenants = _names.Tenants;
        int now = (int)nowSeconds;
        tenants.Generation = now;
        if (_idleSeconds <= 0 || now == _lastSweep)
        {
            return 0;
        }

        _lastSweep = now;
        int idle = tenants.Unpinned >= _pressureAt ? Math.Min(_idleSeconds, (int)PressureIdleTimeout.TotalSeconds) : _idleSeconds;
        int forgotten = tenants.ForgetIdle(now - idle);
        if (forgotten > 0)
        {
            Volatile.Write(ref _tenantsForgotten, _tenantsForgotten + forgotten);
        }

        return forgotten;
    }

    /// <summary>
    /// Monotonic seconds, the tenant table's clock (a wall-clock jump must not forget anyone); tests set
    /// their own. Setting it stamps the table's clock too.
    /// </summary>
    internal Func<long> Clock
    {
        get => _clock;
        set
        {
            _clock = value;
            _names.Tenants.Generation = (int)value();
        }
    }

    private long ClockSeconds() => _clock();
}
