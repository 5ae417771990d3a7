namespace FastIngest.Core.Internal;

/// <summary>
/// Undoing an append the disk refused (ENOSPC, EIO): the spool, the Idempotency-Key log and the import
/// ledger each cut their file back to where the append started, so a torn record or line never stays.
/// </summary>
internal static class FileStreamTruncation
{
    /// <summary>
    /// Cuts <paramref name="stream"/> back to <paramref name="length"/> and writes on from there. False when
    /// the disk refuses that too (<paramref name="refused"/> says why): the caller's file then ends torn.
    /// </summary>
    public static bool TryTruncate(this FileStream stream, long length, out Exception? refused)
    {
        try
        {
            stream.SetLength(length);
            stream.Position = length;
            refused = null;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            refused = ex;
            return false;
        }
    }
}
