using System.IO.Hashing;
using System.Text;
using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Core.Parsing;
using Microsoft.Win32.SafeHandles;

namespace FastIngest.Server.Files;

/// <summary>
/// Follows one live access log: reads appended lines (a partial last line waits for its newline),
/// survives rotation by rename and by copytruncate, and saves its position only after ClickHouse has
/// every line before it (<see cref="IngestPipeline.BarrierAsync"/>), so a restart resumes with no gap
/// and no duplicate. Lines have no ids: exactness comes from positions.
/// </summary>
internal sealed partial class FileTail
{
    private const int MaxLineBytes = 1 << 20;

    private readonly TailedFile _file;
    private readonly FileSourceOptions _options;
    private readonly IngestPipeline _pipeline;
    private readonly ILogger _logger;
    private readonly string _checkpointPath;
    private readonly MessageKind _kind;
    private readonly byte[] _tenant;
    private readonly ShardedBatchWriter _writer;
    private readonly byte[] _buffer = new byte[MaxLineBytes];
    private readonly Queue<string> _backlog = new();

    private SafeFileHandle? _handle;
    private string _handlePath = "";
    private FileIdentity _identity;
    private long _position;
    private long _readAt;
    private int _filled;
    private long _savedPosition = -1;
    private long _lines;
    private int _headLength;
    private string _headFingerprint = "";

    public FileTail(TailedFile file, FileSourceOptions options, IngestPipeline pipeline, string stateDirectory, ILogger logger)
    {
        _file = file;
        _options = options;
        _pipeline = pipeline;
        _logger = logger;
        _kind = file.TenantFromHost ? MessageKind.NginxJsonHostTenant : file.Format == "json" ? MessageKind.NginxJson : MessageKind.CombinedLog;
        _tenant = file.TenantFromHost ? [] : Encoding.UTF8.GetBytes(file.Tenant);
        _writer = pipeline.CreateWriter(IngestSource.File);
        string id = Convert.ToHexString(XxHash3.Hash(Encoding.UTF8.GetBytes(Path.GetFullPath(file.Path))));
        _checkpointPath = Path.Combine(stateDirectory, $"tail-{id}.json");
    }

    public long Lines => Volatile.Read(ref _lines);

    public async Task RunAsync(CancellationToken stop)
    {
        Resume();
        long lastCheckpoint = Environment.TickCount64;
        long quietSince = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                bool progressed = ReadAvailable(atEnd: false);
                if (_writer.HasSetAside)
                {
                    await _writer.FlushAsync(stop).ConfigureAwait(false);
                }

                if (!progressed)
                {
                    quietSince = quietSince == 0 ? Environment.TickCount64 : quietSince;
                    if (!FollowRotation(Environment.TickCount64 - quietSince))
                    {
                        await Task.Delay(_options.PollInterval, stop).ConfigureAwait(false);
                    }
                }
                else
                {
                    quietSince = 0;
                    RememberHead();
                }

                if (Environment.TickCount64 - lastCheckpoint >= (long)_options.CheckpointInterval.TotalMilliseconds)
                {
                    await CheckpointAsync(stop).ConfigureAwait(false);
                    lastCheckpoint = Environment.TickCount64;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // A bug or an unreadable file: say so loudly; the position saved last is still good.
            Log.TailFailed(_logger, ex, _file.Path);
            throw;
        }
    }

    /// <summary>On stop: what was read goes to ClickHouse, then the position is saved.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await CheckpointAsync(cancellationToken).ConfigureAwait(false);
        _handle?.Dispose();
    }

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        if (_handle is null || _position == _savedPosition)
        {
            return;
        }

        long position = _position;
        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _pipeline.BarrierAsync(cancellationToken).ConfigureAwait(false);
        RememberHead();
        new TailCheckpoint(_identity.Device, _identity.Inode, _headLength, _headFingerprint, position).Save(_checkpointPath);
        _savedPosition = position;
    }

    /// <summary>
    /// Keeps the fingerprint of the first bytes read (up to 4 KiB): after a copytruncate the file's own
    /// head is gone, and this is how its copy is recognised.
    /// </summary>
    private void RememberHead()
    {
        int length = (int)Math.Min(TailCheckpoint.MaxFingerprintBytes, _position);
        if (_handle is not null && length > _headLength)
        {
            _headFingerprint = TailCheckpoint.FingerprintOf(_handle, length);
            _headLength = length;
        }
    }

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

    private void Open(string path, long offset)
    {
        _handle?.Dispose();
        _handle = null;
        _filled = 0;
        _position = offset;
        _readAt = offset;
        _handlePath = path;
        if (FileIdentity.TryGet(path, out _identity))
        {
            try
            {
                _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
                // Rotated between stat and open: the next poll finds the new file.
            }
        }

        _savedPosition = -1;
        _headLength = 0;
        _headFingerprint = "";
        if (offset > 0)
        {
            RememberHead();
        }
    }

    /// <summary>Reads what is there and hands over every complete line; false when nothing was read.</summary>
    private bool ReadAvailable(bool atEnd)
    {
        if (_handle is null)
        {
            if (_handlePath == _file.Path && FileIdentity.TryGet(_file.Path, out _))
            {
                Open(_file.Path, 0); // the file appeared (or reappeared)
            }

            if (_handle is null)
            {
                return false;
            }
        }

        int read = RandomAccess.Read(_handle, _buffer.AsSpan(_filled), _readAt);
        if (read == 0 && !(atEnd && _filled > 0))
        {
            return false;
        }

        _readAt += read;
        _filled += read;
        // A rotated file's unterminated last line is still a line; the live file's waits for its newline
        // (unless it alone fills the buffer).
        ReadOnlySpan<byte> data = _buffer.AsSpan(0, _filled);
        int consumed = _writer.AddLines(_kind, _tenant, data, final: atEnd || _filled == _buffer.Length, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), out int added);
        _lines += added;
        data[consumed..].CopyTo(_buffer);
        _filled -= consumed;
        _position += consumed;
        return read > 0 || consumed > 0;
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

    private static partial class Log
    {
        // Files own EventIds 500-599; next free: 505.
        [LoggerMessage(504, LogLevel.Critical, "Tailing {Path} failed; it is no longer read")]
        public static partial void TailFailed(ILogger logger, Exception exception, string path);

        [LoggerMessage(500, LogLevel.Warning, "{Path}: the checkpointed file (offset {Offset}) is gone; reading the live file from its start")]
        public static partial void CheckpointNotFound(ILogger logger, string path, long offset);

        [LoggerMessage(501, LogLevel.Information, "{Path} was rotated; {Lines} lines read so far")]
        public static partial void Rotated(ILogger logger, string path, long lines);

        [LoggerMessage(502, LogLevel.Information, "{Path} was truncated (copytruncate); {Lines} lines read so far")]
        public static partial void Truncated(ILogger logger, string path, long lines);

        [LoggerMessage(503, LogLevel.Warning, "{Path} was truncated but no copy with its content was found: lines written since the last read are lost")]
        public static partial void CopyNotFound(ILogger logger, string path);
    }
}
