namespace FastIngest.Core.Sinks;

/// <summary>
/// One row for <c>agents_1d</c>'s write door: the hits of one (tenant, day, agent class, visitor) in a
/// flush interval. The class columns carry their stored texts (<c>chrome</c>, <c>android</c>, <c>mobile</c>,
/// <c>google</c>, … from <c>UserAgentNames</c>); <see cref="Bot"/> is empty for a person's browser.
/// <see cref="Visitor"/> is the line's visitor hash as <c>visitors_1d</c> got it, or 0 for "not a
/// visitor" (a bot while bots are kept out of visitors, DNT or GPC, no address): the door's view counts
/// only the others as visitors.
/// </summary>
internal readonly record struct AgentRow(byte[] Tenant, ushort Day, string Browser, string Os, string Device, bool IsBot, string Bot, ulong Hits, ulong Visitor);
