using System.Buffers;

namespace FastIngest.Core.Internal;

/// <summary>
/// A <see cref="ReadOnlySequence{T}"/> as one span for the span-based parsers: its own memory when it is
/// one segment (the common case, no copy), else copied into a pooled array that is kept for the next one.
/// One per connection or request; not thread-safe.
/// </summary>
internal sealed class ContiguousBuffer : IDisposable
{
    private byte[]? _copy;

    /// <summary>The span stays valid until the next call or <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Of(ReadOnlySequence<byte> sequence)
    {
        if (sequence.IsSingleSegment)
        {
            return sequence.FirstSpan;
        }

        int length = checked((int)sequence.Length);
        if (_copy is null || _copy.Length < length)
        {
            if (_copy is not null)
            {
                ArrayPool<byte>.Shared.Return(_copy);
            }

            _copy = ArrayPool<byte>.Shared.Rent(length);
        }

        sequence.CopyTo(_copy);
        return _copy.AsSpan(0, length);
    }

    public void Dispose()
    {
        if (_copy is not null)
        {
            ArrayPool<byte>.Shared.Return(_copy);
            _copy = null;
        }
    }
}
