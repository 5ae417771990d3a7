namespace FastIngest.Core.Parsing.Agents;

/// <summary>The operating system an agent claims; iPadOS is <see cref="IOS"/>.</summary>
internal enum OsFamily : byte
{
    Other = 0,
    Windows,
    MacOS,
    IOS,
    Android,
    Linux,
    ChromeOS,
}
