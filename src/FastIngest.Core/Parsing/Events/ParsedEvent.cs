namespace FastIngest.Core.Parsing.Events;

/// <summary>
/// One event as <see cref="EventJsonParser"/> found it: ranges into the scratch buffer the caller gave
/// (values are unescaped there), so parsing allocates nothing.
/// </summary>
internal readonly struct ParsedEvent
{
    public Range SiteId { get; init; }

    public Range EventType { get; init; }

    /// <summary>Empty when the event has none.</summary>
    public Range Path { get; init; }

    /// <summary>Empty when the event has none.</summary>
    public Range UserId { get; init; }

    /// <summary>Unix milliseconds UTC, or <see langword="null"/> when the event has no timestamp (then: now).</summary>
    public long? TimestampMs { get; init; }
}
