using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using FastIngest.Core.Internal;
using K4os.Compression.LZ4;
using Microsoft.Extensions.Logging;

namespace FastIngest.Core.Sinks.Spool;

/// <summary>
/// A first-in first-out queue of records in LZ4-compressed segment files, for what ClickHouse could not
/// take yet. A record is removed only when its reader acknowledges it; a segment file is deleted once
/// all its records are. Each record carries an XxHash64 of its header and body, so a record torn by a
/// crash (or damaged on disk) is found when the spool is opened, counted and skipped.
/// </summary>
/// <remarks>
/// One writer (the sink's loop) and one reader (its replay loop) share it under one lock: they touch it
/// once per flush round, not per line. Appends are flushed to the disk before they count as spooled.
/// </remarks>
internal sealed partial class DiskSpool : IDisposable
{
    private const string SegmentPattern = "segment-*.spool";

    private readonly SpoolOptions _options;
    private readonly ILogger _logger;
    private readonly string _directory;
    private readonly Lock _lock = new();
    private readonly Queue<Entry> _entries = new();
    private readonly List<Segment> _segments = [];
    private readonly FileStream _lockFile;
    private Segment? _current;
    private FileStream? _currentStream;
    private long _nextSegmentId = 1;
    private long _bytes;
    private long _tornRecords;
    private long _appended;
    private long _acknowledged;

    private DiskSpool(SpoolOptions options, ILogger logger, string directory, FileStream lockFile)
    {
        _options = options;
        _logger = logger;
        _directory = directory;
        _lockFile = lockFile;
    }

    public string Directory => _directory;

    public int Records
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public bool IsEmpty => Records == 0;

    public long Bytes => Volatile.Read(ref _bytes);

    public long MaxBytes => _options.MaxBytes;

    public int Segments
    {
        get
        {
            lock (_lock)
            {
                return _segments.Count;
            }
        }
    }

    /// <summary>Records found torn or damaged (when opened or read), skipped.</summary>
    public long TornRecords => Volatile.Read(ref _tornRecords);

    public long Appended => Volatile.Read(ref _appended);

    public long Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>When the oldest waiting record was made; null when empty.</summary>
    public DateTimeOffset? Oldest
    {
        get
        {
            lock (_lock)
            {
                return _entries.TryPeek(out Entry entry) ? DateTimeOffset.FromUnixTimeMilliseconds(entry.CreatedMs) : null;
            }
        }
    }

    /// <summary>
    /// Opens (creating it if needed) the spool folder, takes its lock and indexes the records left by an
    /// earlier process, skipping torn ones.
    /// </summary>
    public static DiskSpool Open(SpoolOptions options, ILogger logger)
    {
        string directory = Path.GetFullPath(options.Directory);
        System.IO.Directory.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(directory, "spool.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            // An IOException, as what caused it: the host reports it as one line naming the folder.
            throw new IOException($"The spool folder {directory} is in use by another FastIngest process; give each its own FastIngest:Spool:Directory.", ex);
        }

        var spool = new DiskSpool(options, logger, directory, lockFile);
        spool.IndexExistingSegments();
        return spool;
    }

    /// <summary>
    /// Compresses <paramref name="record"/> and appends it, durably. False (nothing written) when the
    /// spool is at <see cref="SpoolOptions.MaxBytes"/>.
    /// </summary>
    public bool TryAppend(ReadOnlySpan<byte> record, DateTimeOffset created) => TryAppend(record, created, out _);

    /// <summary>
    /// Compresses <paramref name="record"/> and appends it, durably. False when it was not kept: the spool
    /// is at <see cref="SpoolOptions.MaxBytes"/> (<paramref name="diskFault"/> null), or the file system
    /// refused the write or its flush (ENOSPC, EIO, read-only: <paramref name="diskFault"/> says which).
    /// </summary>
    /// <remarks>
    /// A refused write never leaves the spool inconsistent: what reached the segment is cut off again, or,
    /// if even that fails, the segment is closed where its last whole record ends (the torn tail is skipped
    /// at the next open, as after a crash) and the next append starts a new one. The spool stays usable:
    /// once the disk has room again, the next append succeeds.
    /// </remarks>
    public bool TryAppend(ReadOnlySpan<byte> record, DateTimeOffset created, out Exception? diskFault)
    {
        diskFault = null;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(HeaderBytes + LZ4Codec.MaximumOutputSize(record.Length));
        try
        {
            int compressed = LZ4Codec.Encode(record, buffer.AsSpan(HeaderBytes));
            Span<byte> header = buffer.AsSpan(0, HeaderBytes);
            BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
            BinaryPrimitives.WriteInt32LittleEndian(header[4..], compressed);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], record.Length);
            BinaryPrimitives.WriteInt64LittleEndian(header[12..], created.ToUnixTimeMilliseconds());
            BinaryPrimitives.WriteUInt64LittleEndian(header[20..], Checksum(header, buffer.AsSpan(HeaderBytes, compressed)));
            int length = HeaderBytes + compressed;
            lock (_lock)
            {
                if (_bytes + length > _options.MaxBytes)
                {
                    return false;
                }

                try
                {
                    if (_current is null || _current.Bytes >= _options.SegmentBytes)
                    {
                        StartSegment();
                    }

                    _currentStream!.Write(buffer, 0, length);
                    _currentStream.Flush(flushToDisk: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    diskFault = ex;
                    UndoPartialAppend();
                    return false;
                }

                Segment segment = _current!;
                _entries.Enqueue(new Entry(segment, segment.Bytes, length, created.ToUnixTimeMilliseconds()));
                segment.Bytes += length;
                segment.Pending++;
                Volatile.Write(ref _bytes, _bytes + length);
                Volatile.Write(ref _appended, _appended + 1);
                return true;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads the oldest record into <paramref name="destination"/> (reset first). False when empty.
    /// A record that fails its checksum now is counted, acknowledged and the next one read instead.
    /// </summary>
    public bool TryReadOldest(PooledBufferWriter destination)
    {
        while (true)
        {
            Entry entry;
            lock (_lock)
            {
                if (!_entries.TryPeek(out entry))
                {
                    return false;
                }
            }

            destination.Reset();
            if (TryRead(entry, destination))
            {
                return true;
            }

            Volatile.Write(ref _tornRecords, _tornRecords + 1);
            Log.TornRecord(_logger, entry.Segment.Path, entry.Offset);
            AcknowledgeOldest();
        }
    }

    /// <summary>Removes the oldest record (ClickHouse has it); deletes its segment when that was its last.</summary>
    public void AcknowledgeOldest()
    {
        lock (_lock)
        {
            Entry entry = _entries.Dequeue();
            Segment segment = entry.Segment;
            segment.Pending--;
            Volatile.Write(ref _acknowledged, _acknowledged + 1);
            if (segment.Pending > 0)
            {
                return;
            }

            if (segment == _current)
            {
                // Emptied while still open: close it so the next append starts a fresh file.
                TryDispose(_currentStream!);
                _currentStream = null;
                _current = null;
            }

            TryDelete(segment.Path);
            _segments.Remove(segment);
            Volatile.Write(ref _bytes, _bytes - segment.Bytes);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _currentStream?.Dispose();
            _currentStream = null;
            _current = null;
        }

        _lockFile.Dispose();
    }

    private void StartSegment()
    {
        // No current segment while the new file is made: if making it fails, the next append tries again.
        _currentStream?.Dispose();
        _currentStream = null;
        _current = null;
        string path = Path.Combine(_directory, "segment-" + _nextSegmentId.ToString("D12", CultureInfo.InvariantCulture) + ".spool");
        _nextSegmentId++;
        _currentStream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        _current = new Segment(path);
        _segments.Add(_current);
    }

    private sealed class Segment(string path)
    {
        public string Path { get; } = path;

        public long Bytes { get; set; }

        public int Pending { get; set; }
    }

    private readonly record struct Entry(Segment Segment, long Offset, int Length, long CreatedMs);

    private static partial class Log
    {
        // The spool owns EventIds 600-699; next free: 605.
        [LoggerMessage(600, LogLevel.Warning, "Spool segment {Path} had {Records} torn or damaged records; skipped them")]
        public static partial void TornOnOpen(ILogger logger, string path, long records);

        [LoggerMessage(601, LogLevel.Warning, "Spool record at {Path}:{Offset} failed its checksum when read; skipped it")]
        public static partial void TornRecord(ILogger logger, string path, long offset);

        [LoggerMessage(602, LogLevel.Information, "Spool holds {Records} records ({Bytes} bytes) from before in {Directory}; replaying them")]
        public static partial void Reopened(ILogger logger, int records, long bytes, string directory);

        [LoggerMessage(603, LogLevel.Warning, "Spool segment {Path} could not be cut back to its last whole record ({Bytes} bytes) after a failed write; closed it, the next append starts a new segment")]
        public static partial void SegmentClosedAfterFault(ILogger logger, Exception exception, string path, long bytes);

        [LoggerMessage(604, LogLevel.Warning, "Spool segment {Path} is replayed but could not be deleted; the next start reads it again (the insert ledger keeps it from counting twice)")]
        public static partial void SegmentNotDeleted(ILogger logger, Exception exception, string path);
    }
}
