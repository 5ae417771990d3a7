namespace FastIngest.Core.Parsing.Syslog;

/// <summary>What <see cref="SyslogFrameReader.TryRead"/> found.</summary>
internal enum FrameStatus
{
    /// <summary>No complete frame is buffered; read more and call again with the same bytes plus the new ones.</summary>
    NeedMoreData,

    /// <summary>One message.</summary>
    Frame,

    /// <summary>A message longer than the limit: the frame is a sample of its start; the rest is skipped as it arrives.</summary>
    Oversized,
}
