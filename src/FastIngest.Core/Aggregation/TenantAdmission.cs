using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// One shard's policy for tenants it does not know yet (configured tenants never get here): at most so
/// many new tenants per minute per door (<see cref="IngestSource"/>) and per sender address and door, so a
/// flood of invented tenants through one door or from one address cannot fill the tenant table that every
/// other door and address shares. Owned by the shard's task: no locks. Fixed size: a counter per door
/// and <see cref="AddressSlots"/> hashed address slots, about 32 KiB per shard whatever the traffic.
/// </summary>
/// <remarks>
/// Limits are per shard: the configured per-minute numbers are divided by the shard count (rounded up),
/// and since tenants spread evenly over the shards by their seeded hash, the shards together admit about
/// the configured number. Windows are whole minutes of the messages' arrival time. Two addresses whose
/// keys share a slot share its count: a collision can only refuse sooner, never admit more. The limits
/// apply only once the shard holds <see cref="FreeFraction"/> of its cap: a restart of a server whose
/// thousands of tenants come back in its first minute refuses none of them, while a flood can take that
/// first part at most, and then only the rate. The file door (local logs the operator pointed at) and
/// sources without an address are exempt from the door and the address limit respectively.
/// </remarks>
internal sealed class TenantAdmission
{
    private const int AddressSlotBits = 12;

    /// <summary>Hashed (address, door) slots per shard; a power of two.</summary>
    public const int AddressSlots = 1 << AddressSlotBits;

    /// <summary>The part of a shard's tenant cap filled without limits (see remarks).</summary>
    public const double FreeFraction = 0.5;

    private readonly int _perDoor;
    private readonly int _perAddress;
    private readonly int _freeBelow;
    private readonly uint[] _doorMinute = new uint[IngestSources.Count];
    private readonly int[] _doorCount = new int[IngestSources.Count];
    private readonly uint[] _slotMinute = new uint[AddressSlots];
    private readonly int[] _slotCount = new int[AddressSlots];

    /// <param name="perDoorPerMinute">New tenants per minute per door for all shards; 0 for no limit.</param>
    /// <param name="perAddressPerMinute">New tenants per minute per address for all shards; 0 for no limit.</param>
    /// <param name="shardCount">The limits are divided by it (rounded up).</param>
    /// <param name="shardCap">The shard's tenant cap; limits apply from <see cref="FreeFraction"/> of it.</param>
    public TenantAdmission(int perDoorPerMinute, int perAddressPerMinute, int shardCount, int shardCap)
    {
        _perDoor = Share(perDoorPerMinute, shardCount);
        _perAddress = Share(perAddressPerMinute, shardCount);
        _freeBelow = (int)(shardCap * FreeFraction);
    }

    /// <summary>Admits every tenant (the <c>import</c> command, which reads what the operator gave it).</summary>
    public static TenantAdmission Unlimited(int shardCap) => new(0, 0, 1, shardCap);

    /// <summary>
    /// Decides on a tenant new to the shard, and when it is admitted charges it to the door and the address.
    /// </summary>
    /// <param name="held">Tenants the shard holds now, configured ones not counted.</param>
    /// <returns><see cref="RejectReason.None"/>, <see cref="RejectReason.NewTenantRate"/> or <see cref="RejectReason.NewTenantAddressRate"/>.</returns>
    public RejectReason TryAdmit(IngestSource source, ulong sender, uint arrivedAt, int held)
    {
        if (held < _freeBelow)
        {
            return RejectReason.None;
        }

        uint minute = arrivedAt / 60;
        int door = (int)source;
        bool doorLimited = _perDoor > 0 && source != IngestSource.File;
        if (doorLimited && _doorMinute[door] == minute && _doorCount[door] >= _perDoor)
        {
            return RejectReason.NewTenantRate;
        }

        int slot = Slot(sender, door);
        bool addressLimited = _perAddress > 0 && sender != SenderKey.None;
        if (addressLimited && _slotMinute[slot] == minute && _slotCount[slot] >= _perAddress)
        {
            return RejectReason.NewTenantAddressRate;
        }

        if (doorLimited)
        {
            Charge(ref _doorMinute[door], ref _doorCount[door], minute);
        }

        if (addressLimited)
        {
            Charge(ref _slotMinute[slot], ref _slotCount[slot], minute);
        }

        return RejectReason.None;
    }

    // An address's budget is per door too: a flood of pixel URLs from one address must not refuse the
    // new sites of an NGINX host (or relay) that shares it and sends over syslog (issue 13: "never ...
    // new tenants arriving through another door"). Fibonacci hashing spreads (address, door) over the slots.
    private static int Slot(ulong sender, int door)
        => (int)(((sender ^ (ulong)door) * 0x9E3779B97F4A7C15UL) >> (64 - AddressSlotBits));

    private static void Charge(ref uint windowMinute, ref int count, uint minute)
    {
        if (windowMinute != minute)
        {
            windowMinute = minute;
            count = 0;
        }

        count++;
    }

    private static int Share(int perMinute, int shardCount)
        => perMinute <= 0 ? 0 : Math.Max(1, (perMinute + shardCount - 1) / shardCount);
}
