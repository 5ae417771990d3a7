using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Events;
using FastIngest.Core.Sinks;

namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary>
/// <c>events_1m</c> (events per tenant, minute, type and path) and <c>users_1d</c> (the hashed users seen
/// this interval). Types past <see cref="AggregationOptions.MaxEventTypes"/> and paths past the
/// <see cref="PathBudget"/> count under <c>(other)</c>. Owned by one shard.
/// </summary>
internal sealed class EventAggregate
{
    private const long MsPerDay = 86_400_000;

    private readonly Dictionary<EventKey, ulong> _events = [];
    private readonly HashSet<UserKey> _users = [];
    private readonly NameTable _eventTypes;
    private readonly InternedName _otherEventType;
    private readonly PathBudget _budget;
    private readonly SipHash _userKey;
    private readonly byte[] _userInput = new byte[NameRules.MaxLength + 1 + EventJsonParser.MaxUserIdBytes];
    // Read by metrics from other threads; written only by the owning shard.
    private long _typesFolded;
    private long _folded;

    /// <param name="userKey">The user-id key (<see cref="HashKeys.Users"/>).</param>
    public EventAggregate(ShardNames names, PathBudget budget, SipHash userKey)
    {
        _userKey = userKey;
        _eventTypes = names.EventTypes;
        _otherEventType = names.OtherEventType;
        _budget = budget;
    }

    public bool IsEmpty => _events.Count == 0 && _users.Count == 0;

    /// <summary>Events counted since the last <see cref="Clear"/>; what the flush reports as <see cref="FlushBatch.EventCount"/>.</summary>
    public long Events { get; private set; }

    /// <summary>Events counted under the type <c>(other)</c> so far.</summary>
    public long TypesFolded => Volatile.Read(ref _typesFolded);

    /// <summary>Events counted under an <c>(other)</c> type or path (or both) so far; each event once.</summary>
    public long Folded => Volatile.Read(ref _folded);

    public void Count(InternedName tenant, in EventMessage message)
    {
        bool folded = false;
        if (!_eventTypes.TryGet(message.EventType, out InternedName type))
        {
            type = _otherEventType;
            folded = true;
            Volatile.Write(ref _typesFolded, _typesFolded + 1);
        }

        uint minute = (uint)(message.TimestampMs / 60_000 * 60);
        ref int named = ref _budget.PathsNamedBy(tenant.Id);
        ref ulong count = ref Unsafe.NullRef<ulong>();
        if (_budget.TryGet(message.Path, named, out InternedName path))
        {
            var key = new EventKey(tenant.Id, minute, type.Id, path.Id);
            count = ref CollectionsMarshal.GetValueRefOrNullRef(_events, key);
            if (Unsafe.IsNullRef(ref count) && _budget.TryAdmit(tenant.Id, path.Id, ref named))
            {
                count = ref CollectionsMarshal.GetValueRefOrAddDefault(_events, key, out _);
            }
        }

        if (Unsafe.IsNullRef(ref count))
        {
            folded = true;
            _budget.CountFolded();
            count = ref CollectionsMarshal.GetValueRefOrAddDefault(_events, new EventKey(tenant.Id, minute, type.Id, _budget.Other.Id), out _);
        }

        if (folded)
        {
            Volatile.Write(ref _folded, _folded + 1);
        }

        count++;
        Events++;
        if (!message.UserId.IsEmpty)
        {
            _users.Add(new UserKey(tenant.Id, (ushort)(message.TimestampMs / MsPerDay), HashUser(tenant.NameUtf8, message.UserId)));
        }
    }

    /// <summary>
    /// SipHash of tenant and user id under the secret user key (issue 14: a hash seeded by the tenant's
    /// name could be reversed by hashing a list of e-mail addresses). No day in it: unique users are
    /// counted across days (all-time), which a daily salt would break; the tenant in it keeps one person's
    /// hashes of two tenants apart.
    /// </summary>
    private ulong HashUser(ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> userId)
    {
        if (tenant.Length > NameRules.MaxLength || userId.Length > EventJsonParser.MaxUserIdBytes)
        {
            // Never from the event door (it refuses longer ones); a cut keeps the count, not exactness.
            tenant = tenant[..Math.Min(tenant.Length, NameRules.MaxLength)];
            userId = userId[..Math.Min(userId.Length, EventJsonParser.MaxUserIdBytes)];
        }

        Span<byte> input = _userInput;
        tenant.CopyTo(input);
        input[tenant.Length] = 0;
        userId.CopyTo(input[(tenant.Length + 1)..]);
        return _userKey.Hash(input[..(tenant.Length + 1 + userId.Length)]);
    }

    public void ProjectInto(FlushBatch batch, NameTable tenants, NameTable paths)
    {
        foreach (KeyValuePair<EventKey, ulong> pair in _events)
        {
            EventKey key = pair.Key;
            batch.Events.Add(new EventRow(tenants[key.TenantId].NameUtf8, key.Minute, _eventTypes[key.TypeId].NameUtf8, paths[key.PathId].NameUtf8, pair.Value));
        }

        foreach (UserKey user in _users)
        {
            batch.Users.Add(new UserRow(tenants[user.TenantId].NameUtf8, user.Day, user.Hash));
        }

        batch.EventCount = Events;
    }

    public void Clear()
    {
        _events.Clear();
        _users.Clear();
        Events = 0;
    }

    /// <summary>Events of one type and path of a tenant in one minute.</summary>
    private readonly record struct EventKey(int TenantId, uint Minute, int TypeId, int PathId);

    /// <summary>A user (hashed user_id) of a tenant on a day, seen this flush interval.</summary>
    private readonly record struct UserKey(int TenantId, ushort Day, ulong Hash);
}
