namespace FastIngest.Core.Parsing.Agents;

/// <summary>
/// The short stable text of a <see cref="UserAgentClass"/> in <c>requests_raw.agent_class</c>:
/// <c>browser/os/device</c> for a person's browser (<c>chrome/android/mobile</c>), <c>bot:family</c> for a
/// named bot (<c>bot:google</c>, <c>bot:curl</c>), <c>bot:kind</c> for an unnamed one (<c>bot:generic</c>,
/// <c>bot:no_agent</c>, <c>bot:headless</c>). Made of <see cref="UserAgentNames"/>' texts, so it is stable
/// as they are; never any byte of the agent itself.
/// </summary>
internal static class AgentClassText
{
    /// <summary>Longest text <see cref="Write"/> makes (the longest names joined), with room to spare.</summary>
    public const int MaxBytes = 32;

    /// <summary>Writes the text into <paramref name="destination"/> (at least <see cref="MaxBytes"/>); returns its length.</summary>
    public static int Write(UserAgentClass agent, Span<byte> destination)
    {
        if (agent.IsBot)
        {
            string name = agent.Bot is BotFamily.None or BotFamily.Unnamed ? UserAgentNames.Of(agent.BotKind) : UserAgentNames.Of(agent.Bot);
            "bot:"u8.CopyTo(destination);
            return 4 + Ascii(name, destination[4..]);
        }

        int at = Ascii(UserAgentNames.Of(agent.Browser), destination);
        destination[at++] = (byte)'/';
        at += Ascii(UserAgentNames.Of(agent.Os), destination[at..]);
        destination[at++] = (byte)'/';
        at += Ascii(UserAgentNames.Of(agent.Device), destination[at..]);
        return at;
    }

    // The names are lowercase ASCII literals: one byte a char, no encoder needed.
    private static int Ascii(string name, Span<byte> destination)
    {
        for (int i = 0; i < name.Length; i++)
        {
            destination[i] = (byte)name[i];
        }

        return name.Length;
    }
}
