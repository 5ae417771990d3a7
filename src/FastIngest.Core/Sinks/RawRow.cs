namespace FastIngest.Core.Sinks;

/// <summary>
/// One request for <c>requests_raw</c> (opt-in per tenant, issue 16 item 4). Plain data: the row's text
/// (method, path, referrer host, agent class) stands back to back in its <see cref="RawRowSet"/>'s byte arena from
/// <see cref="TextStart"/>, so a row holds no string of its own and a flush allocates nothing.
/// </summary>
/// <remarks>
/// Nothing personal: no address, user agent, query string or full referrer ever gets here, only the
/// daily-salted <see cref="Visitor"/> hash that <c>visitors_1d</c> counts (0 without one, or under DNT).
/// </remarks>
internal struct RawRow
{
    /// <summary>The tenant's interned UTF-8 (shared with every row of the tenant, never copied).</summary>
    public byte[] Tenant;

    /// <summary>Request time, Unix seconds UTC.</summary>
    public uint Time;

    /// <summary>The milliseconds of <see cref="Time"/> (0-999).</summary>
    public ushort TimeMs;

    public ushort Status;

    public ulong BytesSent;

    public ulong BodyBytesSent;

    public uint RequestTimeMs;

    /// <summary><c>Parsing.CacheStatus</c> as a byte: the <c>cache_status</c> Enum8's value.</summary>
    public byte CacheStatus;

    public ulong Visitor;

    public int TextStart;

    public byte MethodLength;

    public ushort PathLength;

    public byte ReferrerHostLength;

    /// <summary>The <c>agent_class</c> text's length (after the referrer host in the arena).</summary>
    public byte AgentClassLength;

    /// <summary>Bytes of text this row holds in the arena.</summary>
    public readonly int TextLength => MethodLength + PathLength + ReferrerHostLength + AgentClassLength;
}
