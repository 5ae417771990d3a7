namespace FastIngest.Core.Parsing.Events;

internal static class EventErrors
{
    // The first three are the simple analytics API's exact words: existing clients match on them.
    private static readonly string[] s_messages =
    [
        "",
        "Invalid JSON",
        "Invalid event: expected a JSON object",
        "Missing required field: site_id",
        "Missing required field: event_type",
        "Invalid field type: site_id must be a string",
        "Invalid field type: event_type must be a string",
        "Invalid field type: path must be a string",
        "Invalid field type: user_id must be a string or a number",
        "Invalid field type: timestamp must be an ISO 8601 string",
        "Invalid timestamp: expected ISO 8601 with an offset, e.g. 2026-11-23T10:00:00Z",
        $"Field too long: site_id (at most {EventJsonParser.MaxSiteIdBytes} bytes)",
        $"Field too long: event_type (at most {EventJsonParser.MaxEventTypeBytes} bytes)",
        $"Field too long: path (at most {EventJsonParser.MaxPathBytes} bytes)",
        $"Field too long: user_id (at most {EventJsonParser.MaxUserIdBytes} bytes)",
        "Event too large",
        "Forbidden: this API key may not send events for this site_id",
    ];

    public static string Message(EventError error) => s_messages[(int)error];

    /// <summary>How the reject is filed in <c>ingest_errors</c>.</summary>
    public static RejectReason Reason(EventError error) => error switch
    {
        EventError.InvalidJson or EventError.NotAnObject => RejectReason.NotJson,
        EventError.MissingSiteId => RejectReason.MissingTenant,
        EventError.MissingEventType => RejectReason.MissingField,
        EventError.InvalidTimestamp or EventError.TimestampNotString => RejectReason.InvalidTime,
        EventError.TooLarge => RejectReason.MessageTooLarge,
        EventError.ForbiddenSiteId => RejectReason.UnknownTenant,
        EventError.SiteIdTooLong or EventError.EventTypeTooLong or EventError.PathTooLong or EventError.UserIdTooLong => RejectReason.FieldTooLong,
        _ => RejectReason.InvalidField,
    };
}
