using System.Buffers;
using System.Runtime.CompilerServices;
using FastIngest.Core.Internal;
using FastIngest.Core.Parsing;

namespace FastIngest.Core.Ingest;

/// <summary>
/// Messages of one source for one shard, packed back to back in a pooled buffer. Sources fill a batch
/// per shard and hand it over whole, so the channel sees one item per batch, not one per line.
/// Batches are recycled through an <see cref="ObjectPool{T}"/>; their arrays survive the trip.
/// </summary>
internal sealed class IngestBatch : IResettable
{
    public const int DefaultBufferSize = 64 * 1024;
    public const int DefaultEntryCapacity = 512;

    private byte[] _buffer;
    private IngestEntry[] _entries;

    public IngestBatch()
    {
        _buffer = ArrayPool<byte>.Shared.Rent(DefaultBufferSize);
        _entries = new IngestEntry[DefaultEntryCapacity];
    }

    public IngestSource Source { get; set; }

    /// <summary>
    /// Set on an empty batch that asks the shard to flush now and complete this once ClickHouse has
    /// everything the shard had counted (the pipeline's barrier, which file sources wait for).
    /// </summary>
    public TaskCompletionSource? Barrier { get; set; }

    public int Count { get; private set; }

    public int BytesUsed { get; private set; }

    public byte[] Buffer => _buffer;

    public ReadOnlySpan<IngestEntry> Entries => _entries.AsSpan(0, Count);

    /// <summary>True when <paramref name="bytes"/> more bytes and one more entry fit without growing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool HasRoomFor(int bytes) => Count < _entries.Length && _buffer.Length - BytesUsed >= bytes;

    /// <summary>
    /// Copies a message in. The caller checks <see cref="HasRoomFor"/> first and sends a full batch on;
    /// an empty batch grows instead, so one oversized message still travels alone.
    /// </summary>
    public void Add(MessageKind kind, RejectReason reject, ulong tenantHash, ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> body, uint arrivedAt, ulong sender = SenderKey.None, byte format = 0)
    {
        int needed = tenant.Length + body.Length;
        if (!HasRoomFor(needed))
        {
            Grow(needed);
        }

        ref IngestEntry entry = ref _entries[Count++];
        entry.Kind = kind;
        entry.Reject = reject;
        entry.Format = format;
        entry.TenantHash = tenantHash;
        entry.ArrivedAt = arrivedAt;
        entry.Sender = sender;
        entry.TenantStart = BytesUsed;
        entry.TenantLength = tenant.Length;
        tenant.CopyTo(_buffer.AsSpan(BytesUsed));
        BytesUsed += tenant.Length;
        entry.BodyStart = BytesUsed;
        entry.BodyLength = body.Length;
        body.CopyTo(_buffer.AsSpan(BytesUsed));
        BytesUsed += body.Length;
    }

    public ReadOnlySpan<byte> Tenant(in IngestEntry entry) => _buffer.AsSpan(entry.TenantStart, entry.TenantLength);

    public ReadOnlySpan<byte> Body(in IngestEntry entry) => _buffer.AsSpan(entry.BodyStart, entry.BodyLength);

    public void Reset()
    {
        Barrier = null;
        Count = 0;
        BytesUsed = 0;
        if (_buffer.Length > DefaultBufferSize)
        {
            // Grown for one big message (up to MaxMessageBytes): give it back, or every pooled batch
            // that ever met one keeps twice the memory for the life of the process (issue 13).
            ShrinkBuffer();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ShrinkBuffer()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = ArrayPool<byte>.Shared.Rent(DefaultBufferSize);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        if (_buffer.Length - BytesUsed < needed)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, BytesUsed + needed));
            _buffer.AsSpan(0, BytesUsed).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
    }
}
