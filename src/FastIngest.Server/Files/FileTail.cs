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
    private long _checkpointFailures;
    private bool _checkpointFailing;

    public FileTail(TailedFile file, FileSourceOptions options, IngestPipeline pipeline, string stateDirectory, ILogger logger)
    {
        _file = file;
        _options = options;
        _pipeline = pipeline;
        _logger = logger;
        _kind = file.TenantFromHost ? MessageKind.NginxJsonHostTenant : file.Format switch
        {
            "json" => MessageKind.NginxJson,
            "combined" => MessageKind.CombinedLog,
            _ => MessageKind.AccessLog,
        };
        _tenant = file.TenantFromHost ? [] : Encoding.UTF8.GetBytes(file.Tenant);
        _writer = pipeline.CreateWriter(IngestSource.File);
        if (file.Format is not ("auto" or "json" or "combined") && pipeline.Formats.TryIndexOf(file.Format, out byte format))
        {
            // One of the operator's formats (validated at start): every line of this file carries its index.
            _kind = MessageKind.CustomLog;
            _writer.Format = format;
        }

        string id = Convert.ToHexString(XxHash3.Hash(Encoding.UTF8.GetBytes(Path.GetFullPath(file.Path))));
        _checkpointPath = Path.Combine(stateDirectory, $"tail-{id}.json");
    }

    public long Lines => Volatile.Read(ref _lines);

    /// <summary>Checkpoints the disk refused to save (ENOSPC, EIO, ...); each retried at the next interval.</summary>
    public long CheckpointFailures => Volatile.Read(ref _checkpointFailures);

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
        try
        {
            new TailCheckpoint(_identity.Device, _identity.Inode, _headLength, _headFingerprint, position).Save(_checkpointPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A full or failing disk must not end the tail: the old checkpoint stays (a restart re-reads
            // from it, at worst counting twice what the doc already allows for a crash), and the next
            // interval tries again. Logged once per outage.
            Interlocked.Increment(ref _checkpointFailures);
            if (!_checkpointFailing)
            {
                _checkpointFailing = true;
                Log.CheckpointFailed(_logger, ex, _file.Path, _checkpointPath);
            }

            return;
        }

        if (_checkpointFailing)
        {
            _checkpointFailing = false;
            Log.CheckpointSavedAgain(_logger, _file.Path, CheckpointFailures);
        }

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
}
