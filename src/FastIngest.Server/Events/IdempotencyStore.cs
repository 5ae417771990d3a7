using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FastIngest.Core.Internal;

namespace FastIngest.Server.Events;

/// <summary>
/// Remembers the response to each <c>Idempotency-Key</c> for <see cref="EventsOptions.IdempotencyRetention"/>,
/// so a retried batch is answered with the first response and counted once. A key is stored as completed
/// only once its events are durable (issue 14, item 2): until then it is "in progress", and a commit that
/// fails releases it so the retry counts the batch.
/// </summary>
/// <remarks>
/// Keys are scoped (<see cref="IdempotencyScope"/>: the verified tenant, or the client address when the API
/// is open) and stored as SHA-256 digests, never as sent. Bounded: at most
/// <see cref="EventsOptions.MaxIdempotencyKeys"/> keys, <see cref="EventsOptions.MaxIdempotencyKeysPerScope"/>
/// per scope; past a cap a new key is refused (never an old one evicted: an evicted key would make a retry
/// count twice). Keys expire while running and the log is compacted in place by this, its only writer
/// (<c>IdempotencyStore.Compaction.cs</c>). One node's memory: behind a load balancer, route a client's
/// retries to the same node (or share the state directory).
/// </remarks>
internal sealed partial class IdempotencyStore : IDisposable
{
    private const string FileName = "idempotency-keys.log";

    private readonly Dictionary<string, Entry> _entries = [];
    private readonly Dictionary<string, int> _perScope = [];
    // Completed keys in the order they were stored, so expiry looks only at the oldest.
    private readonly Queue<(string Id, long At)> _expiry = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _retentionSeconds;
    private readonly int _maxKeys;
    private readonly int _maxKeysPerScope;
    private readonly int _compactAfterDeadLines;
    private readonly string _path;
    private readonly ILogger _logger;
    private FileStream _log;
    private long _writeFailures;
    private long _refusedAtCap;
    private long _expired;
    private long _compactions;
    private bool _failing;
    private bool _separateNextLine;

    /// <param name="compactAfterDeadLines">
    /// Lines the log may hold that no longer name a remembered key (begin markers, expired or released keys)
    /// before it is rewritten; it is rewritten once they are also more than the live keys.
    /// </param>
    public IdempotencyStore(string directory, TimeSpan retention, int maxKeys, int maxKeysPerScope, TimeProvider time, ILogger<IdempotencyStore> logger, int compactAfterDeadLines = 4096)
    {
        _time = time;
        _retentionSeconds = (long)retention.TotalSeconds;
        _maxKeys = maxKeys;
        _maxKeysPerScope = maxKeysPerScope;
        _compactAfterDeadLines = compactAfterDeadLines;
        _logger = logger;
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, FileName);
        // A compaction cut short by a crash: the log itself is still whole (the rename never happened).
        File.Delete(TempPath);
        Load();
        _log = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
        lock (_lock)
        {
            // Compact at start: the file holds only what is still remembered.
            if (!TryCompactLocked(out Exception? refused))
            {
                // A full disk must not keep the server from starting: the old file still holds every key.
                Log.NotCompacted(logger, refused, _path);
                _separateNextLine = true;
            }
        }

        Log.Loaded(logger, _expiry.Count, _path);
    }

    /// <summary>Keys the disk refused to store (ENOSPC, EIO, ...); each request answered 503.</summary>
    public long WriteFailures => Volatile.Read(ref _writeFailures);

    /// <summary>New keys refused because a cap was reached (429 or 503, nothing counted).</summary>
    public long RefusedAtCap => Volatile.Read(ref _refusedAtCap);

    /// <summary>Keys forgotten while running because their retention passed.</summary>
    public long Expired => Volatile.Read(ref _expired);

    /// <summary>Times the log was rewritten to hold only live keys (at start and while running).</summary>
    public long Compactions => Volatile.Read(ref _compactions);

    /// <summary>Keys remembered now, completed and in progress.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public enum Outcome
    {
        /// <summary>First time: process the request, then <see cref="TryComplete"/> or <see cref="Release"/>.</summary>
        New,

        /// <summary>The same key is being processed right now (or its events are not durable yet).</summary>
        InProgress,

        /// <summary>Seen before and its events are durable: answer with the stored response.</summary>
        Replay,

        /// <summary>The disk refused the key's first line: answer 503, count nothing.</summary>
        Refused,

        /// <summary>The scope holds <see cref="EventsOptions.MaxIdempotencyKeysPerScope"/> keys: 429, nothing counted.</summary>
        ScopeFull,

        /// <summary>The store holds <see cref="EventsOptions.MaxIdempotencyKeys"/> keys: 503, nothing counted.</summary>
        Full,
    }

    /// <summary>
    /// Claims a key. For <see cref="Outcome.New"/> a begin line is written (not flushed to disk: it only
    /// proves the disk takes writes, so a disk that refuses them is a 503 before anything counts).
    /// </summary>
    public Outcome TryBegin(string scope, string key, out int status, out string body)
    {
        string id = Id(scope, key);
        string scopeId = ScopeId(scope);
        status = 0;
        body = "";
        lock (_lock)
        {
            long now = Now();
            ExpireLocked(now);
            if (_entries.TryGetValue(id, out Entry? entry))
            {
                if (entry.Body is null)
                {
                    return Outcome.InProgress;
                }

                if (now - entry.At <= _retentionSeconds)
                {
                    status = entry.Status;
                    body = entry.Body;
                    return Outcome.Replay;
                }

                RemoveLocked(id, entry);
            }

            if (_entries.Count >= _maxKeys || _perScope.GetValueOrDefault(scopeId) >= _maxKeysPerScope)
            {
                Interlocked.Increment(ref _refusedAtCap);
                return _entries.Count >= _maxKeys ? Outcome.Full : Outcome.ScopeFull;
            }

            if (!TryAppendLocked(Line(now, id, 0, "", scopeId), flushToDisk: false))
            {
                return Outcome.Refused;
            }

            // The begin line never names a remembered key: it is dead from the start.
            _deadLines++;
            _entries[id] = new Entry(now, 0, null, scopeId);
            _perScope[scopeId] = _perScope.GetValueOrDefault(scopeId) + 1;
            return Outcome.New;
        }
    }

    /// <summary>
    /// Stores the response to a key begun with <see cref="TryBegin"/>, flushed to disk. Call it only once
    /// the batch's events are durable. False when the disk refused the write: the key is released (as by
    /// <see cref="Release"/>), so a retry is counted again rather than answered with a lie.
    /// </summary>
    public bool TryComplete(string scope, string key, int status, string body)
    {
        string id = Id(scope, key);
        string scopeId = ScopeId(scope);
        lock (_lock)
        {
            long now = Now();
            if (!TryAppendLocked(Line(now, id, status, Convert.ToBase64String(Encoding.UTF8.GetBytes(body)), scopeId), flushToDisk: true))
            {
                if (_entries.TryGetValue(id, out Entry? begun) && begun.Body is null)
                {
                    RemoveLocked(id, begun);
                }

                return false;
            }

            if (!_entries.ContainsKey(id))
            {
                _perScope[scopeId] = _perScope.GetValueOrDefault(scopeId) + 1;
            }

            _entries[id] = new Entry(now, status, body, scopeId);
            _expiry.Enqueue((id, now));
            ExpireLocked(now);
            MaybeCompactLocked();
            return true;
        }
    }

    /// <summary>Forgets a key that is still in progress (its commit failed or was cut short); a completed key stays.</summary>
    public void Release(string scope, string key)
    {
        string id = Id(scope, key);
        lock (_lock)
        {
            if (_entries.TryGetValue(id, out Entry? entry) && entry.Body is null)
            {
                RemoveLocked(id, entry);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _log.Dispose();
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();

    private void ExpireLocked(long now)
    {
        while (_expiry.TryPeek(out (string Id, long At) oldest) && now - oldest.At > _retentionSeconds)
        {
            _expiry.Dequeue();
            // Only if the entry is still the one queued (not stored again since, by a later request).
            if (_entries.TryGetValue(oldest.Id, out Entry? entry) && entry.Body is not null && entry.At == oldest.At)
            {
                RemoveLocked(oldest.Id, entry);
                _deadLines++;
                Interlocked.Increment(ref _expired);
            }
        }
    }

    private void RemoveLocked(string id, Entry entry)
    {
        _entries.Remove(id);
        int left = _perScope.GetValueOrDefault(entry.Scope) - 1;
        if (left > 0)
        {
            _perScope[entry.Scope] = left;
        }
        else
        {
            _perScope.Remove(entry.Scope);
        }
    }

    private bool TryAppendLocked(string text, bool flushToDisk)
    {
        // After a line the disk refused and that could not be cut off, a newline first: the torn rest
        // stays a line of its own, skipped at the next load, instead of spoiling this one.
        byte[] line = Encoding.UTF8.GetBytes(_separateNextLine ? "\n" + text : text);
        long before = _log.Position;
        try
        {
            _log.Write(line);
            if (flushToDisk)
            {
                _log.Flush(flushToDisk: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _writeFailures);
            _separateNextLine = !_log.TryTruncate(before, out _);
            if (!_failing)
            {
                // Once per outage, not per request.
                _failing = true;
                Log.WriteFailed(_logger, ex, _path);
            }

            return false;
        }

        _separateNextLine = false;
        if (_failing)
        {
            _failing = false;
            Log.WritableAgain(_logger, _path, WriteFailures);
        }

        return true;
    }

    // at, key digest, status (0: begun, not completed), base64 response, scope digest.
    private static string Line(long at, string id, int status, string body, string scopeId) =>
        string.Create(CultureInfo.InvariantCulture, $"{at}\t{id}\t{status}\t{body}\t{scopeId}\n");

    private static string Id(string scope, string key) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(scope + "\n" + key)));

    private static string ScopeId(string scope) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(scope)).AsSpan(0, 8));

    /// <summary>A completed key (<see cref="Body"/> set) or one being processed (null).</summary>
    private sealed record Entry(long At, int Status, string? Body, string Scope);
}
