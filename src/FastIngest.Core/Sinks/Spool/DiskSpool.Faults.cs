using FastIngest.Core.Internal;

namespace FastIngest.Core.Sinks.Spool;

// Disk faults (ENOSPC, EIO, a file system gone read-only): the spool stays consistent and usable, so the
// sink can drop the one round, count it, and carry on once the disk has room again (issue 13, item 5).
internal sealed partial class DiskSpool
{
    /// <summary>Bytes the spool's file system has free for it now (0 if it can't tell): one statfs call.</summary>
    public long AvailableBytes
    {
        get
        {
            try
            {
                return new DriveInfo(_directory).AvailableFreeSpace;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return 0;
            }
        }
    }

    /// <summary>
    /// After a write or flush the file system refused: cuts off what part of the record reached the
    /// current segment. If even that fails, the segment is closed where its last whole record ends (its
    /// torn tail is skipped at the next open, as after a crash) and the next append starts a new one.
    /// Called under the lock.
    /// </summary>
    private void UndoPartialAppend()
    {
        Segment? segment = _current;
        FileStream? stream = _currentStream;
        if (segment is null || stream is null)
        {
            // The new segment could not be made: nothing was written.
            return;
        }

        if (stream.TryTruncate(segment.Bytes, out Exception? refused))
        {
            return;
        }

        Log.SegmentClosedAfterFault(_logger, refused!, segment.Path, segment.Bytes);

        _currentStream = null;
        _current = null;
        TryDispose(stream);
        if (segment.Pending == 0)
        {
            _segments.Remove(segment);
            TryDelete(segment.Path);
        }
    }

    /// <summary>Deletes a segment file; one that can't be deleted now is replayed again at the next start, where the insert ledger keeps it from counting twice.</summary>
    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SegmentNotDeleted(_logger, ex, path);
        }
    }

    private static void TryDispose(FileStream stream)
    {
        try
        {
            stream.Dispose();
        }
        catch (IOException)
        {
            // Unbuffered (bufferSize 0): closing has nothing to write, so a failure here loses nothing.
        }
    }
}
