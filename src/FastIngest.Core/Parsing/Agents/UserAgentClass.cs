namespace FastIngest.Core.Parsing.Agents;

/// <summary>
/// What <see cref="UserAgentClassifier.Classify"/> read from one user agent: small enough to copy by
/// value into a record or a counter key (five one-byte enums and an int).
/// </summary>
internal readonly record struct UserAgentClass(
    BrowserFamily Browser,
    int MajorVersion,
    OsFamily Os,
    DeviceClass Device,
    BotKind BotKind,
    BotFamily Bot)
{
    /// <summary>Crawlers, headless browsers, HTTP libraries, monitors, generic tells and no agent at all.</summary>
    public bool IsBot => BotKind != BotKind.None;
}
