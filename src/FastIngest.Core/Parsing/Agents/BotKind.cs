namespace FastIngest.Core.Parsing.Agents;

/// <summary>Why an agent counts as a bot; <see cref="None"/> for a browser a person is taken to drive.</summary>
internal enum BotKind : byte
{
    None = 0,
    Crawler,
    Headless,
    Library,
    Monitor,

    /// <summary>No known name, but a tell: bot, crawl, spider, <c>+http</c> in the agent.</summary>
    Generic,

    /// <summary>An empty or <c>-</c> agent: no browser sends none.</summary>
    NoAgent,
}
