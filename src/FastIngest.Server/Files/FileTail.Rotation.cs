namespace FastIngest.Server.Files;

/// <summary>Where to read: resuming after a restart, and following rename rotation and copytruncate.</summary>
internal sealed partial class FileTail
{
    /// <summary>
    /// Finds where the last run stopped: the checkpointed file at the path, or wherever rotation moved
    /// it (same inode, or same first bytes for a copytruncate copy). Files rotated after it are read
    /// next, oldest first, then the live file.
    /// </summary>
    private void Resume()
    {
        TailCheckpoint? checkpoint = TailCheckpoint.Load(_checkpointPath);
        string[] candidates = [_file.Path, .. Siblings()];
        string? found = null;
        if (checkpoint is not null)
        {
            found = candidates.FirstOrDefault(c => Matches(c, checkpoint, byInode: true))
                ?? (checkpoint.FingerprintLength > 0 ? candidates.FirstOrDefault(c => Matches(c, checkpoint, byInode: false)) : null);
            if (found is null)
            {
                Log.CheckpointNotFound(_logger, _file.Path, checkpoint.Offset);
            }
        }

        if (found is null || found == _file.Path)
        {
            Open(_file.Path, found is null ? 0 : checkpoint!.Offset);
            return;
        }

        // Rotated while we were stopped: finish that file, then the ones rotated after it, then the live one.
        DateTime since = File.GetLastWriteTimeUtc(found);
        foreach (string newer in Siblings().Where(s => s != found && File.GetLastWriteTimeUtc(s) >= since).OrderBy(File.GetLastWriteTimeUtc))
        {
            _backlog.Enqueue(newer);
        }

        _backlog.Enqueue(_file.Path);
        Open(found, checkpoint!.Offset);
    }

    private static bool Matches(string path, TailCheckpoint checkpoint, bool byInode)
    {
        if (!FileIdentity.TryGet(path, out FileIdentity identity) || identity.Size < checkpoint.Offset)
        {
            return false;
        }

        if (byInode && (identity.Device != checkpoint.Device || identity.Inode != checkpoint.Inode))
        {
            return false;
        }

        return TailCheckpoint.FingerprintOf(path, checkpoint.FingerprintLength) == checkpoint.Fingerprint;
    }

    /// <summary>Rotated copies next to the live file (<c>access.log.1</c>, <c>access.log-20261123</c>), not compressed ones.</summary>
    private IEnumerable<string> Siblings()
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(_file.Path))!;
        string name = Path.GetFileName(_file.Path);
        return Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, name + "*").Where(f => Path.GetFileName(f) != name && !f.EndsWith(".gz", StringComparison.Ordinal))
            : [];
    }

    /// <summary>
    /// At the end of the file being read: moves on when it was rotated away or truncated. True when it
    /// switched files (so read again at once).
    /// </summary>
    private bool FollowRotation(long quietMilliseconds)
    {
        if (_handlePath != _file.Path)
        {
            // A rotated file from the backlog, read to its end: on to the next.
            ReadAvailable(atEnd: true);
            Open(_backlog.Count > 0 ? _backlog.Dequeue() : _file.Path, 0);
            return true;
        }

        if (!FileIdentity.TryGet(_file.Path, out FileIdentity live))
        {
            return false; // renamed away and not recreated yet: keep reading the old one
        }

        if (!live.SameFileAs(_identity))
        {
            // Renamed away: NGINX writes to the old file until it reopens its logs, so wait until it is quiet.
            if (quietMilliseconds < (long)_options.RotationGrace.TotalMilliseconds)
            {
                return false;
            }

            ReadAvailable(atEnd: true);
            Log.Rotated(_logger, _file.Path, _lines);
            Open(_file.Path, 0);
            return true;
        }

        if (live.Size < _readAt || (_headLength > 0 && TailCheckpoint.FingerprintOf(_file.Path, _headLength) != _headFingerprint))
        {
            // Truncated in place (copytruncate): what we had not read yet went to the copy.
            ReadRestOfCopy();
            Log.Truncated(_logger, _file.Path, _lines);
            Open(_file.Path, 0);
            return true;
        }

        return false;
    }

    private void ReadRestOfCopy()
    {
        if (_handle is null)
        {
            return;
        }

        // Our own head is gone (truncated): the copy is the sibling whose head is what ours was.
        string fingerprint = _headFingerprint;
        int fingerprintLength = _headLength;
        string? copy = fingerprintLength == 0 ? null : Siblings()
            .Where(s => FileIdentity.TryGet(s, out FileIdentity i) && i.Size >= _readAt)
            .FirstOrDefault(s => TailCheckpoint.FingerprintOf(s, fingerprintLength) == fingerprint);
        if (copy is null)
        {
            Log.CopyNotFound(_logger, _file.Path);
            return;
        }

        long position = _position;
        Open(copy, position);
        while (ReadAvailable(atEnd: false))
        {
        }

        ReadAvailable(atEnd: true);
    }
}
