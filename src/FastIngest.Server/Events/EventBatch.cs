using System.Buffers;
using System.Buffers.Binary;
using FastIngest.Core.Ingest;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;
using FastIngest.Core.Parsing.Events;

namespace FastIngest.Server.Events;

/// <summary>
/// The events of one request, parsed and encoded but not yet counted. <c>/ingest</c> stages the whole
/// body first and hands it to the shards only once it is read to the end and its Idempotency-Key
/// is claimed, so a request cut short (413, a dropped connection) counts nothing and a retry counts all.
/// </summary>
internal sealed class EventBatch : IDisposable
{
    public const int MaxReportedErrors = 10;

    private readonly PooledBufferWriter _staged = new(16 * 1024);
    private readonly int _maxEventBytes;
    private readonly byte[]? _tenant;
    private readonly long _now;
    private readonly ContiguousBuffer _json = new();
    private byte[] _scratch;

    /// <param name="tenant">The API key's tenant, which every site_id must equal; null when the API is open.</param>
    public EventBatch(int maxEventBytes, string? tenant, long nowMs)
    {
        _maxEventBytes = maxEventBytes;
        _tenant = tenant is null ? null : System.Text.Encoding.UTF8.GetBytes(tenant);
        _now = nowMs;
        _scratch = ArrayPool<byte>.Shared.Rent(4096);
    }

    public int Accepted { get; private set; }

    public int Rejected { get; private set; }

    /// <summary>The first <see cref="MaxReportedErrors"/> errors: item (line) number and message.</summary>
    public List<(int Line, string Error)> Errors { get; } = [];

    /// <summary>Parses one event and stages it, or stages its reject. Returns what was wrong, if anything.</summary>
    public EventError Add(ReadOnlySequence<byte> item, int line)
    {
        EventError error = item.Length > _maxEventBytes ? EventError.TooLarge : Stage(_json.Of(item));
        if (error != EventError.None)
        {
            Reject(error, item, line);
        }

        return error;
    }

    /// <summary>Counts a failure that is not one item's (the rest of a broken array).</summary>
    public void Reject(EventError error, ReadOnlySequence<byte> sample, int line)
    {
        Rejected++;
        if (Errors.Count < MaxReportedErrors)
        {
            Errors.Add((line, EventErrors.Message(error)));
        }

        ReadOnlySequence<byte> kept = sample.Length > 512 ? sample.Slice(0, 512) : sample;
        StageRecord(MessageKind.Rejected, EventErrors.Reason(error), default, _json.Of(kept));
    }

    /// <summary>Hands everything staged to the shards.</summary>
    /// <param name="sender">The client's <see cref="SenderKey"/>, for the shards' per-address admission of new tenants.</param>
    public async ValueTask CommitAsync(ConcurrentBatchWriter writer, uint arrivedAt, ulong sender = SenderKey.None)
    {
        ReadOnlyMemory<byte> staged = _staged.WrittenMemory;
        int at = 0;
        while (at < staged.Length)
        {
            (MessageKind kind, RejectReason reason, Range tenant, Range body, int next) = Record(staged.Span, at);
            await writer.AddAsync(kind, reason, staged.Span[tenant], staged.Span[body], arrivedAt, sender).ConfigureAwait(false);
            at = next;
        }
    }

    /// <summary>
    /// Hands everything staged to the shards through a writer of this request's own, and returns once every
    /// event is in its shard's channel: a barrier queued after this is behind all of them (what an
    /// <c>Idempotency-Key</c> waits for before it is stored). The shared writer may hold a batch for a
    /// hand-off in flight on another thread, which a barrier could overtake.
    /// </summary>
    public async ValueTask CommitInOrderAsync(ShardedBatchWriter writer, uint arrivedAt, ulong sender = SenderKey.None)
    {
        writer.Sender = sender;
        ReadOnlyMemory<byte> staged = _staged.WrittenMemory;
        int at = 0;
        while (at < staged.Length)
        {
            (MessageKind kind, RejectReason reason, Range tenant, Range body, int next) = Record(staged.Span, at);
            // Never refuses: full batches wait for the flush below, bounded by this request's staged bytes.
            writer.Add(kind, reason, staged.Span[tenant], staged.Span[body], arrivedAt);
            at = next;
        }

        await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _staged.Dispose();
        _json.Dispose();
        ArrayPool<byte>.Shared.Return(_scratch);
    }

    private EventError Stage(ReadOnlySpan<byte> json)
    {
        if (_scratch.Length < json.Length)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = ArrayPool<byte>.Shared.Rent(json.Length);
        }

        EventError error = EventJsonParser.TryParse(json, _scratch, out ParsedEvent parsed);
        if (error != EventError.None)
        {
            return error;
        }

        ReadOnlySpan<byte> site = _scratch.AsSpan()[parsed.SiteId];
        if (_tenant is not null && !site.SequenceEqual(_tenant))
        {
            return EventError.ForbiddenSiteId;
        }

        Span<byte> message = stackalloc byte[EventMessage.MaxEncodedLength];
        int length = new EventMessage
        {
            TimestampMs = parsed.TimestampMs ?? _now,
            EventType = _scratch.AsSpan()[parsed.EventType],
            Path = _scratch.AsSpan()[parsed.Path],
            UserId = _scratch.AsSpan()[parsed.UserId],
        }.Encode(message);
        StageRecord(MessageKind.Event, RejectReason.None, site, message[..length]);
        Accepted++;
        return EventError.None;
    }

    // Record: kind (1), reason (1), tenant length (2), body length (4), tenant, body.
    private void StageRecord(MessageKind kind, RejectReason reason, ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> body)
    {
        Span<byte> header = _staged.GetSpan(8);
        header[0] = (byte)kind;
        header[1] = (byte)reason;
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], (ushort)tenant.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], body.Length);
        _staged.Advance(8);
        _staged.Write(tenant);
        _staged.Write(body);
    }

    private static (MessageKind Kind, RejectReason Reason, Range Tenant, Range Body, int Next) Record(ReadOnlySpan<byte> staged, int at)
    {
        int tenantLength = BinaryPrimitives.ReadUInt16LittleEndian(staged[(at + 2)..]);
        int bodyLength = BinaryPrimitives.ReadInt32LittleEndian(staged[(at + 4)..]);
        int tenantStart = at + 8;
        int bodyStart = tenantStart + tenantLength;
        return ((MessageKind)staged[at], (RejectReason)staged[at + 1], tenantStart..bodyStart, bodyStart..(bodyStart + bodyLength), bodyStart + bodyLength);
    }
}
