using System.Runtime.InteropServices;
using FastIngest.Core.Parsing.Agents;
using FastIngest.Core.Sinks;

namespace FastIngest.Core.Aggregation.Aggregates;

/// <summary>
/// <c>agents_1d</c>: hits per (tenant, UTC day, browser, OS, device, bot) and, beside them, which
/// visitors made them: one entry per distinct (tenant, day, class, visitor hash) of the interval with
/// its hit count, so the door's view sums hits and folds the hashes into a uniq state. Owned by one shard.
/// </summary>
/// <remarks>
/// Bounded like the visitor set it mirrors: the visitor hash covers the agent, so a visitor is one entry
/// per key; entries without a visitor (0) are one per (tenant, day, class), and the classes are a few
/// hundred at most. The shard flushes early once <see cref="Held"/> reaches <c>MaxVisitorsPerFlush</c>.
/// The major version is not kept: agents_1d's key has none, so versions don't multiply its rows.
/// </remarks>
internal sealed class AgentAggregate
{
    private const long MsPerDay = 86_400_000;

    private readonly Dictionary<AgentKey, ulong> _agents = [];

    public bool IsEmpty => _agents.Count == 0;

    /// <summary>Distinct (tenant, day, class, visitor) entries held since the last flush.</summary>
    public int Held => _agents.Count;

    /// <param name="visitor">The request's visitor hash, or 0 when it is not counted as a visitor.</param>
    public void Count(InternedName tenant, long timestampMs, UserAgentClass agent, ulong visitor)
    {
        var key = new AgentKey(tenant.Id, (ushort)(timestampMs / MsPerDay), agent.Browser, agent.Os, agent.Device, agent.BotKind, agent.Bot, visitor);
        CollectionsMarshal.GetValueRefOrAddDefault(_agents, key, out _)++;
    }

    public void ProjectInto(FlushBatch batch, NameTable tenants)
    {
        foreach (KeyValuePair<AgentKey, ulong> pair in _agents)
        {
            AgentKey key = pair.Key;
            bool isBot = key.BotKind != BotKind.None;
            // An unnamed bot (a generic tell, no agent) is still a bot: its row says "unnamed", never "".
            string bot = isBot ? UserAgentNames.Of(key.Bot == BotFamily.None ? BotFamily.Unnamed : key.Bot) : "";
            batch.Agents.Add(new AgentRow(
                tenants[key.TenantId].NameUtf8, key.Day, UserAgentNames.Of(key.Browser), UserAgentNames.Of(key.Os), UserAgentNames.Of(key.Device), isBot, bot, pair.Value, key.Visitor));
        }
    }

    public void Clear() => _agents.Clear();

    /// <summary>One class of agent of a tenant's day, and one visitor of it (0: hits that are no visitor's).</summary>
    private readonly record struct AgentKey(int TenantId, ushort Day, BrowserFamily Browser, OsFamily Os, DeviceClass Device, BotKind BotKind, BotFamily Bot, ulong Visitor);
}
