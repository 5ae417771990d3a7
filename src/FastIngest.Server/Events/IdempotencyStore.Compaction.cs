using System.Buffers;
using System.Globalization;
using System.Text;

namespace FastIngest.Server.Events;

/// <summary>Loading the log at start, and rewriting it in place while running.</summary>
internal sealed partial class IdempotencyStore
{
    // Lines in the log that name no remembered key; the log is rewritten once they pass the threshold.
    private long _deadLines;

    private string TempPath => _path + ".tmp";

    private void Load()
    {
        if (!File.Exists(_path))
        {
            return;
        }

        long cutoff = Now() - _retentionSeconds;
        var loaded = new List<(string Id, Entry Entry)>();
        foreach (string line in File.ReadLines(_path))
        {
            // A line torn by a crash has fewer fields or bad base64, and a begin line (status 0) never
            // completed: neither was acknowledged as durable, skip them. Four fields: a log from before
            // keys had scopes on disk (its keys count in one scope of their own).
            string[] fields = line.Split('\t');
            if (fields.Length is 4 or 5
                && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long at) && at >= cutoff
                && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int status) && status > 0
                && TryDecode(fields[3], out string? body))
            {
                loaded.Add((fields[1], new Entry(at, status, body, fields.Length == 5 ? fields[4] : "")));
            }
        }

        // Stored in time order, so expiry can look at the oldest only (a clock step back is tolerated: such a
        // key expires a little late, never early).
        loaded.Sort(static (a, b) => a.Entry.At.CompareTo(b.Entry.At));
        foreach ((string id, Entry entry) in loaded)
        {
            if (_entries.TryGetValue(id, out Entry? earlier))
            {
                RemoveLocked(id, earlier);
            }

            _entries[id] = entry;
            _perScope[entry.Scope] = _perScope.GetValueOrDefault(entry.Scope) + 1;
            _expiry.Enqueue((id, entry.At));
        }
    }

    private void MaybeCompactLocked()
    {
        if (_deadLines < _compactAfterDeadLines || _deadLines <= _expiry.Count)
        {
            return;
        }

        if (!TryCompactLocked(out Exception? refused))
        {
            // Not again until as many dead lines again have piled up: a full disk is not rewritten per request.
            Log.NotCompacted(_logger, refused, _path);
            _deadLines = 0;
        }
    }

    /// <summary>
    /// Rewrites the log with the completed keys only, by this writer, under the store's lock: the keys go to
    /// a temporary file, flushed to disk, which is then renamed over the log (atomic), and appends go on into
    /// it. At any moment the log's name points at a whole file, the old or the new one; a crash leaves at
    /// most a temporary file, deleted at the next start. An in-progress key needs no line: were the server
    /// to crash, it must be forgotten anyway.
    /// </summary>
    private bool TryCompactLocked(out Exception? refused)
    {
        FileStream? compacted = null;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            compacted = new FileStream(TempPath, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
            int used = 0;
            int live = 0;
            foreach ((string id, long at) in _expiry)
            {
                if (!_entries.TryGetValue(id, out Entry? entry) || entry.Body is null || entry.At != at)
                {
                    continue;
                }

                string line = Line(entry.At, id, entry.Status, Convert.ToBase64String(Encoding.UTF8.GetBytes(entry.Body)), entry.Scope);
                int length = Encoding.UTF8.GetByteCount(line);
                if (buffer.Length - used < length)
                {
                    compacted.Write(buffer, 0, used);
                    used = 0;
                    if (buffer.Length < length)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(length);
                    }
                }

                used += Encoding.UTF8.GetBytes(line, buffer.AsSpan(used));
                live++;
            }

            compacted.Write(buffer, 0, used);
            compacted.Flush(flushToDisk: true);
            File.Move(TempPath, _path, overwrite: true);
            // The open handle follows the renamed file: the next key is appended to the compacted log.
            _log.Dispose();
            _log = compacted;
            compacted = null;
            _deadLines = 0;
            _separateNextLine = false;
            Interlocked.Increment(ref _compactions);
            Log.Compacted(_logger, _path, live);
            refused = null;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            compacted?.Dispose();
            TryDelete(TempPath);
            refused = ex;
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Deleted at the next start.
        }
    }

    private static bool TryDecode(string base64, out string body)
    {
        Span<byte> bytes = new byte[base64.Length];
        if (Convert.TryFromBase64String(base64, bytes, out int written))
        {
            body = Encoding.UTF8.GetString(bytes[..written]);
            return true;
        }

        body = "";
        return false;
    }

    private static partial class Log
    {
        // Events own EventIds 300-399: the idempotency store 300-309 (next free: 305), EventApi 310-319 (next free: 314).
        [LoggerMessage(300, LogLevel.Information, "Idempotency keys: {Count} remembered from {Path}")]
        public static partial void Loaded(ILogger logger, int count, string path);

        [LoggerMessage(301, LogLevel.Error, "Idempotency keys can't be stored in {Path} (the disk refused the write): batches with an Idempotency-Key are answered 503 and not counted until it takes writes again")]
        public static partial void WriteFailed(ILogger logger, Exception exception, string path);

        [LoggerMessage(302, LogLevel.Information, "Idempotency keys are stored in {Path} again, after {Failures} refused writes")]
        public static partial void WritableAgain(ILogger logger, string path, long failures);

        [LoggerMessage(303, LogLevel.Warning, "Idempotency keys in {Path} were not compacted (the disk refused the write); kept the file as it was")]
        public static partial void NotCompacted(ILogger logger, Exception? exception, string path);

        [LoggerMessage(304, LogLevel.Debug, "Idempotency keys in {Path} compacted: {Count} live keys kept")]
        public static partial void Compacted(ILogger logger, string path, int count);
    }
}
