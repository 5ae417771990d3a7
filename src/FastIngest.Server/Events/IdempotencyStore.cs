using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FastIngest.Core.Internal;

namespace FastIngest.Server.Events;

/// <summary>
/// Remembers the response to each <c>Idempotency-Key</c> for <see cref="EventsOptions.IdempotencyRetention"/>,
/// so a retried batch is answered with the first response and counted once. Durable: every completed
/// key is appended to a file (flushed to disk before the response goes out) and reloaded at start.
/// </summary>
/// <remarks>
/// Keys are scoped by tenant (the API key's, or one shared scope when the API is open) and stored as
/// SHA-256 digests, never as sent. One node's memory: behind a load balancer, route a client's retries
/// to the same node (or share the state directory).
/// </remarks>
internal sealed partial class IdempotencyStore : IDisposable
{
    private const string FileName = "idempotency-keys.log";

    private readonly Dictionary<string, Entry> _entries = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _retention;
    private readonly FileStream _log;
    private readonly ILogger _logger;
    private long _writeFailures;
    private bool _failing;
    private bool _separateNextLine;

    public IdempotencyStore(string directory, TimeSpan retention, TimeProvider time, ILogger<IdempotencyStore> logger)
    {
        _time = time;
        _retention = retention;
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        long cutoff = Now() - (long)retention.TotalSeconds;
        var kept = new List<string>();
        if (File.Exists(path))
        {
            foreach (string line in File.ReadLines(path))
            {
                // A line torn by a crash has fewer fields or bad base64: it was never acknowledged, skip it.
                string[] fields = line.Split('\t');
                if (fields.Length == 4
                    && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long at) && at >= cutoff
                    && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int status)
                    && TryDecode(fields[3], out string? body))
                {
                    _entries[fields[1]] = new Entry(at, status, body);
                    kept.Add(line);
                }
            }
        }

        _logger = logger;
        try
        {
            // Compact at start: the file holds only what is still remembered.
            File.WriteAllLines(path + ".tmp", kept);
            File.Move(path + ".tmp", path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A full disk must not keep the server from starting: the old file still holds every key.
            Log.NotCompacted(logger, ex, path);
            _separateNextLine = true;
        }

        // Unbuffered: a line the disk refuses must not stay in a buffer and be written later.
        _log = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
        Log.Loaded(logger, kept.Count, path);
    }

    /// <summary>Keys the disk refused to store (ENOSPC, EIO, ...); each request answered 503, nothing counted.</summary>
    public long WriteFailures => Volatile.Read(ref _writeFailures);

    public enum Outcome
    {
        /// <summary>First time: process the request, then <see cref="Complete"/> or <see cref="Abandon"/>.</summary>
        New,

        /// <summary>The same key is being processed right now.</summary>
        InProgress,

        /// <summary>Seen before: answer with the stored response.</summary>
        Replay,
    }

    public Outcome TryBegin(string scope, string key, out int status, out string body)
    {
        string id = Id(scope, key);
        lock (_lock)
        {
            if (_entries.TryGetValue(id, out Entry? entry) && (entry.Body is null || Now() - entry.At <= (long)_retention.TotalSeconds))
            {
                status = entry.Status;
                body = entry.Body ?? "";
                return entry.Body is null ? Outcome.InProgress : Outcome.Replay;
            }

            _entries[id] = new Entry(Now(), 0, null);
        }

        status = 0;
        body = "";
        return Outcome.New;
    }

    /// <summary>
    /// Stores the response to a key begun with <see cref="TryBegin"/>, durably, before its batch is
    /// counted. False when the disk refused the write: the key is forgotten (as by <see cref="Abandon"/>)
    /// and the caller answers 503 without counting, so the client's retry counts the batch once.
    /// </summary>
    public bool TryComplete(string scope, string key, int status, string body)
    {
        string id = Id(scope, key);
        long now = Now();
        lock (_lock)
        {
            // After a line the disk refused and that could not be cut off, a newline first: the torn
            // rest stays a line of its own, skipped at the next load, instead of spoiling this one.
            byte[] line = Encoding.UTF8.GetBytes(
                $"{(_separateNextLine ? "\n" : "")}{now.ToString(CultureInfo.InvariantCulture)}\t{id}\t{status.ToString(CultureInfo.InvariantCulture)}\t{Convert.ToBase64String(Encoding.UTF8.GetBytes(body))}\n");
            long before = _log.Position;
            try
            {
                _log.Write(line);
                _log.Flush(flushToDisk: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _entries.Remove(id);
                Interlocked.Increment(ref _writeFailures);
                _separateNextLine = !_log.TryTruncate(before, out _);
                if (!_failing)
                {
                    // Once per outage, not per request.
                    _failing = true;
                    Log.WriteFailed(_logger, ex, _log.Name);
                }

                return false;
            }

            _separateNextLine = false;
            if (_failing)
            {
                _failing = false;
                Log.WritableAgain(_logger, _log.Name, WriteFailures);
            }

            _entries[id] = new Entry(now, status, body);
            return true;
        }
    }

    public void Abandon(string scope, string key)
    {
        lock (_lock)
        {
            _entries.Remove(Id(scope, key));
        }
    }

    public void Dispose() => _log.Dispose();

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();

    private static string Id(string scope, string key) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(scope + "\n" + key)));

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

    /// <summary>A completed key (<see cref="Body"/> set) or one being processed (null).</summary>
    private sealed record Entry(long At, int Status, string? Body);

    private static partial class Log
    {
        // Events own EventIds 300-399: the idempotency store 300-309 (next free: 304), EventApi 310-319 (next free: 312).
        [LoggerMessage(300, LogLevel.Information, "Idempotency keys: {Count} remembered from {Path}")]
        public static partial void Loaded(ILogger logger, int count, string path);

        [LoggerMessage(301, LogLevel.Error, "Idempotency keys can't be stored in {Path} (the disk refused the write): batches with an Idempotency-Key are answered 503 and not counted until it takes writes again")]
        public static partial void WriteFailed(ILogger logger, Exception exception, string path);

        [LoggerMessage(302, LogLevel.Information, "Idempotency keys are stored in {Path} again, after {Failures} refused writes")]
        public static partial void WritableAgain(ILogger logger, string path, long failures);

        [LoggerMessage(303, LogLevel.Warning, "Idempotency keys in {Path} were not compacted at start (the disk refused the write); kept the file as it was")]
        public static partial void NotCompacted(ILogger logger, Exception exception, string path);
    }
}
