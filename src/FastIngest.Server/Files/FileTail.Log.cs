namespace FastIngest.Server.Files;

internal sealed partial class FileTail
{
    private static partial class Log
    {
        // Files own EventIds 700-799 (Sinks have 500-599); next free: 707.
        [LoggerMessage(704, LogLevel.Critical, "Tailing {Path} failed; it is no longer read")]
        public static partial void TailFailed(ILogger logger, Exception exception, string path);

        [LoggerMessage(700, LogLevel.Warning, "{Path}: the checkpointed file (offset {Offset}) is gone; reading the live file from its start")]
        public static partial void CheckpointNotFound(ILogger logger, string path, long offset);

        [LoggerMessage(701, LogLevel.Information, "{Path} was rotated; {Lines} lines read so far")]
        public static partial void Rotated(ILogger logger, string path, long lines);

        [LoggerMessage(702, LogLevel.Information, "{Path} was truncated (copytruncate); {Lines} lines read so far")]
        public static partial void Truncated(ILogger logger, string path, long lines);

        [LoggerMessage(703, LogLevel.Warning, "{Path} was truncated but no copy with its content was found: lines written since the last read are lost")]
        public static partial void CopyNotFound(ILogger logger, string path);

        [LoggerMessage(705, LogLevel.Error, "{Path}: the checkpoint {Checkpoint} can't be saved (the disk refused it); still reading, the last saved position stays until a save succeeds")]
        public static partial void CheckpointFailed(ILogger logger, Exception exception, string path, string checkpoint);

        [LoggerMessage(706, LogLevel.Information, "{Path}: checkpoint saved again, after {Failures} refused saves")]
        public static partial void CheckpointSavedAgain(ILogger logger, string path, long failures);
    }
}
