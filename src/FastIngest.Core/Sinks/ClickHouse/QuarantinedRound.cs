namespace FastIngest.Core.Sinks.ClickHouse;

/// <summary>
/// One round in the quarantine folder: <c>NAME.round</c> (the round record, as the spool's reader gives
/// it) and <c>NAME.json</c> (why it is there).
/// </summary>
internal sealed record QuarantinedRound(string Name, string RoundPath, string NotePath, long Bytes);
