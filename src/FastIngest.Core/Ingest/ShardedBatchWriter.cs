using System.IO.Hashing;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Ingest;

/// <summary>
/// A source's way in: routes each message to its tenant's shard (<see cref="TenantRouting"/>) and packs it into that
/// shard's pending batch. One per receive loop or connection; not thread-safe.
/// </summary>
/// <remarks>
/// Adding is synchronous so spans can come straight from a receive buffer. <see cref="TryAdd"/> says
/// no when a full batch could not be handed over without waiting: await <see cref="FlushAsync"/>
/// (backpressure) and add again. <see cref="Add"/> never says no: it sets full batches aside until the
/// next <see cref="FlushAsync"/>, for callers that parse a whole read buffer synchronously and wait
/// once after it (memory stays bounded by what one read holds). Call <see cref="FlushAsync"/> too
/// whenever the source goes idle, so a quiet source does not sit on a half-full batch.
/// </remarks>
internal sealed class ShardedBatchWriter
{
    private readonly IShardChannels _shards;
    private readonly IngestSource _source;
    private readonly IngestBatch?[] _pending;
    private readonly Queue<(int Shard, IngestBatch Batch)> _setAside = new();
    private readonly long _seed;
    private readonly bool _spread;
    private int _next;

    /// <param name="spread">
    /// Hand full batches to whichever shard has room, in turn, instead of the tenant's shard: the
    /// <c>import</c> command's way to parse and count one tenant's file on every core. Only for a source
    /// whose counts are deltas summed in ClickHouse and that needs no per-tenant order (see
    /// <see cref="SpreadsAcrossShards"/>); live doors keep a tenant on one shard.
    /// </param>
    public ShardedBatchWriter(IShardChannels shards, IngestSource source, bool spread = false)
    {
        _shards = shards;
        _source = source;
        _pending = new IngestBatch?[shards.ShardCount];
        _seed = shards.RoutingSeed;
        _spread = spread;
    }

    /// <summary>
    /// True when batches go to every shard in turn rather than to the tenant's shard. A tenant then has
    /// buckets in several shards; each flushes its own deltas and ClickHouse's SummingMergeTree /
    /// AggregatingMergeTree add them up, so totals stay exact. What is per shard (the per-tenant path
    /// budget of an interval, reject samples per minute) applies per shard.
    /// </summary>
    public bool SpreadsAcrossShards => _spread;

    /// <summary>
    /// The <see cref="SenderKey"/> stamped on every message added from now on: a TCP connection sets it
    /// once, the UDP loop per datagram; file and import leave it <see cref="SenderKey.None"/>.
    /// </summary>
    public ulong Sender { get; set; }

    /// <summary>
    /// The custom format index stamped on every message added from now on (read for
    /// <see cref="MessageKind.CustomLog"/> only): a file tail sets it once, syslog per message from its tag.
    /// </summary>
    public byte Format { get; set; }

    /// <summary>Full batches <see cref="Add"/> could not hand over; the next <see cref="FlushAsync"/> waits for room.</summary>
    public bool HasSetAside => _setAside.Count > 0;

    public bool HasPending
    {
        get
        {
            if (_setAside.Count > 0)
            {
                return true;
            }

            foreach (IngestBatch? batch in _pending)
            {
                if (batch is { Count: > 0 })
                {
                    return true;
                }
            }

            return false;
        }
    }

    public bool TryAdd(MessageKind kind, ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> body, uint arrivedAt)
        => TryAdd(kind, RejectReason.None, tenant, body, arrivedAt);

    public bool TryAdd(MessageKind kind, RejectReason reject, ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> body, uint arrivedAt)
        => Add(kind, reject, tenant, body, arrivedAt, setAsideWhenFull: false);

    public void Add(MessageKind kind, RejectReason reject, ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> body, uint arrivedAt)
        => Add(kind, reject, tenant, body, arrivedAt, setAsideWhenFull: true);

    private bool Add(MessageKind kind, RejectReason reject, ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> body, uint arrivedAt, bool setAsideWhenFull)
    {
        // The table's hash stays unseeded (it keys names and salts user hashes, stable across restarts);
        // the shard comes from a second, seeded hash (TenantRouting): a tenant name is at most 64 bytes.
        ulong hash = XxHash3.HashToUInt64(tenant);
        int shard = _spread ? _next : TenantRouting.ShardOf(tenant, _pending.Length, _seed);
        IngestBatch? batch = _pending[shard];
        if (batch is null)
        {
            batch = _pending[shard] = Rent();
        }
        else if (!batch.HasRoomFor(tenant.Length + body.Length) && batch.Count > 0)
        {
            if (_spread)
            {
                // One pending batch at a time, handed to the first shard in turn with room: a slower
                // shard gets fewer batches instead of holding the others up.
                _pending[shard] = null;
                shard = HandOverToAnyShard(batch, setAsideWhenFull);
                if (shard < 0)
                {
                    _pending[_next] = batch;
                    return false;
                }
            }
            else if (!_shards.TryEnqueue(shard, batch))
            {
                if (!setAsideWhenFull)
                {
                    return false;
                }

                _setAside.Enqueue((shard, batch));
            }

            batch = _pending[shard] = Rent();
        }

        batch.Add(kind, reject, hash, tenant, body, arrivedAt, Sender, Format);
        return true;
    }

    /// <summary>
    /// Adds every LF-terminated line of <paramref name="data"/> (a CR before the LF and blank lines are
    /// dropped), and the unterminated rest too when <paramref name="final"/>: what file sources read.
    /// Lines that start before <paramref name="skipBefore"/> (an offset into <paramref name="data"/>) are
    /// consumed but not added. Returns the bytes consumed; <paramref name="added"/> counts the lines added.
    /// Framing is <see cref="LineFramer"/>'s; this only routes the lines.
    /// </summary>
    public int AddLines(MessageKind kind, ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> data, bool final, uint arrivedAt, out int added, long skipBefore = 0)
    {
        added = 0;
        var lines = new LineFramer(data, final, skipBefore);
        while (lines.TryReadLine(out ReadOnlySpan<byte> line))
        {
            Add(kind, RejectReason.None, tenant, line, arrivedAt);
            added++;
        }

        return lines.Consumed;
    }

    /// <summary>Hands every pending batch to its shard, waiting where a channel is full.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        while (_setAside.TryPeek(out (int Shard, IngestBatch Batch) full))
        {
            await _shards.EnqueueAsync(full.Shard, full.Batch, cancellationToken).ConfigureAwait(false);
            _setAside.Dequeue();
        }

        for (int shard = 0; shard < _pending.Length; shard++)
        {
            IngestBatch? batch = _pending[shard];
            if (batch is { Count: > 0 })
            {
                _pending[shard] = null;
                await _shards.EnqueueAsync(shard, batch, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Spread mode: enqueues <paramref name="batch"/> on the first shard from <see cref="_next"/> on with
    /// room, else sets it aside for the next one in turn (or, for <c>TryAdd</c>, returns -1). Returns the
    /// shard the next batch fills for.
    /// </summary>
    private int HandOverToAnyShard(IngestBatch batch, bool setAsideWhenFull)
    {
        int count = _pending.Length;
        for (int i = 0; i < count; i++)
        {
            int shard = (_next + i) % count;
            if (_shards.TryEnqueue(shard, batch))
            {
                _next = (shard + 1) % count;
                return _next;
            }
        }

        if (!setAsideWhenFull)
        {
            return -1;
        }

        _setAside.Enqueue((_next, batch));
        _next = (_next + 1) % count;
        return _next;
    }

    private IngestBatch Rent()
    {
        IngestBatch batch = _shards.IngestBatches.Rent();
        batch.Source = _source;
        return batch;
    }
}
