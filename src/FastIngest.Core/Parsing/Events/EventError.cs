namespace FastIngest.Core.Parsing.Events;

/// <summary>Why an event was refused; <see cref="EventErrors.Message"/> is what the client reads.</summary>
internal enum EventError : byte
{
    None = 0,
    InvalidJson,
    NotAnObject,
    MissingSiteId,
    MissingEventType,
    SiteIdNotString,
    EventTypeNotString,
    PathNotString,
    UserIdNotString,
    TimestampNotString,
    InvalidTimestamp,
    SiteIdTooLong,
    EventTypeTooLong,
    PathTooLong,
    UserIdTooLong,
    TooLarge,
    ForbiddenSiteId,
}
