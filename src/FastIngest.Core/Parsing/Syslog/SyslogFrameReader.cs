using System.Buffers;

namespace FastIngest.Core.Parsing.Syslog;

/// <summary>
/// Splits a TCP syslog stream into messages (RFC 6587), one connection's worth of state. Framing is
/// detected per message, as relays may mix: a frame that starts with a digit is octet counted
/// (<c>MSG-LEN SP MSG</c>); anything else ends at LF or NUL (non-transparent framing), with a CR
/// before the LF dropped. Frames are slices of the caller's buffer: nothing is copied.
/// </summary>
/// <remarks>
/// An oversized message is reported once, with a sample of its start, and then skipped as its bytes
/// arrive, so a 1 GB line costs no more memory than a read; the next frame is read normally.
/// </remarks>
internal sealed class SyslogFrameReader
{
    public const int SampleBytes = 512;

    // RFC 6587's MSG-LEN is a non-zero number; ten digits pass any sane limit already.
    private const int MaxLengthDigits = 10;

    private readonly int _maxMessageBytes;
    private long _skipBytes;
    private bool _skipToTrailer;

    public SyslogFrameReader(int maxMessageBytes) => _maxMessageBytes = maxMessageBytes;

    private static ReadOnlySpan<byte> Trailers => "\n\0"u8;

    /// <summary>True while the rest of an oversized frame is being skipped: a frame is still in progress.</summary>
    public bool InFrame => _skipBytes > 0 || _skipToTrailer;

    /// <summary>
    /// Reads the next frame from <paramref name="reader"/>, advancing it past what was consumed. On
    /// <see cref="FrameStatus.NeedMoreData"/> the reader stays at the start of the incomplete frame.
    /// </summary>
    /// <param name="isCompleted">The peer has closed: unterminated bytes left over are the last frame.</param>
    public FrameStatus TryRead(ref SequenceReader<byte> reader, bool isCompleted, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (!SkipRestOfOversized(ref reader))
        {
            return FrameStatus.NeedMoreData;
        }

        while (true)
        {
            // Empty frames and the LF some relays put after an octet-counted frame.
            reader.AdvancePastAny((byte)'\n', (byte)'\r', 0);
            if (!reader.TryPeek(out byte first))
            {
                return FrameStatus.NeedMoreData;
            }

            SequenceReader<byte> start = reader;
            FrameStatus status;
            bool needMore = false;
            if (first is >= (byte)'1' and <= (byte)'9' && TryReadLength(ref reader, isCompleted, out long length, out needMore))
            {
                status = ReadOctetCounted(ref reader, length, isCompleted, out frame);
            }
            else
            {
                status = needMore ? FrameStatus.NeedMoreData : ReadToTrailer(ref reader, isCompleted, out frame);
            }

            if (status == FrameStatus.NeedMoreData)
            {
                reader = start;
                return status;
            }

            if (status != FrameStatus.Frame || !frame.IsEmpty)
            {
                return status;
            }
        }
    }

    private bool SkipRestOfOversized(ref SequenceReader<byte> reader)
    {
        if (_skipBytes > 0)
        {
            long skipped = Math.Min(_skipBytes, reader.Remaining);
            reader.Advance(skipped);
            _skipBytes -= skipped;
            if (_skipBytes > 0)
            {
                return false;
            }
        }

        if (_skipToTrailer)
        {
            if (!reader.TryAdvanceToAny(Trailers, advancePastDelimiter: true))
            {
                reader.AdvanceToEnd();
                return false;
            }

            _skipToTrailer = false;
        }

        return true;
    }

    /// <summary>
    /// Reads <c>MSG-LEN SP</c>. False when the frame is not octet counted after all (then
    /// <paramref name="needMore"/> says whether more bytes could still make it so); the reader moves
    /// only on success.
    /// </summary>
    private static bool TryReadLength(ref SequenceReader<byte> reader, bool isCompleted, out long length, out bool needMore)
    {
        SequenceReader<byte> probe = reader;
        length = 0;
        needMore = false;
        for (int digits = 0; ; digits++)
        {
            if (!probe.TryRead(out byte b))
            {
                needMore = !isCompleted;
                return false;
            }

            if (b == (byte)' ')
            {
                reader = probe;
                return true;
            }

            if (b is < (byte)'0' or > (byte)'9' || digits == MaxLengthDigits)
            {
                return false;
            }

            length = (length * 10) + (b - '0');
        }
    }

    private FrameStatus ReadOctetCounted(ref SequenceReader<byte> reader, long length, bool isCompleted, out ReadOnlySequence<byte> frame)
    {
        if (length > _maxMessageBytes)
        {
            if (reader.Remaining < SampleBytes && !isCompleted)
            {
                // Wait for a useful sample; a few hundred bytes, never the whole message.
                frame = default;
                return FrameStatus.NeedMoreData;
            }

            long available = Math.Min(length, reader.Remaining);
            frame = reader.UnreadSequence.Slice(0, Math.Min(available, SampleBytes));
            reader.Advance(available);
            _skipBytes = length - available;
            return FrameStatus.Oversized;
        }

        if (reader.Remaining < length && !isCompleted)
        {
            frame = default;
            return FrameStatus.NeedMoreData;
        }

        // A peer that closed mid-message leaves a truncated frame; the parsers will refuse it.
        frame = reader.UnreadSequence.Slice(0, Math.Min(length, reader.Remaining));
        reader.Advance(frame.Length);
        return FrameStatus.Frame;
    }

    private FrameStatus ReadToTrailer(ref SequenceReader<byte> reader, bool isCompleted, out ReadOnlySequence<byte> frame)
    {
        SequenceReader<byte> probe = reader;
        if (probe.TryReadToAny(out ReadOnlySequence<byte> line, Trailers, advancePastDelimiter: true))
        {
            reader = probe;
            if (line.Length > _maxMessageBytes)
            {
                frame = line.Slice(0, SampleBytes);
                return FrameStatus.Oversized;
            }

            frame = WithoutTrailingCr(line);
            return FrameStatus.Frame;
        }

        if (reader.Remaining > _maxMessageBytes)
        {
            frame = reader.UnreadSequence.Slice(0, SampleBytes);
            reader.AdvanceToEnd();
            _skipToTrailer = true;
            return FrameStatus.Oversized;
        }

        if (isCompleted)
        {
            frame = WithoutTrailingCr(reader.UnreadSequence);
            reader.AdvanceToEnd();
            return FrameStatus.Frame;
        }

        frame = default;
        return FrameStatus.NeedMoreData;
    }

    private static ReadOnlySequence<byte> WithoutTrailingCr(ReadOnlySequence<byte> line)
    {
        if (line.IsEmpty)
        {
            return line;
        }

        // The last byte is in the last segment; slicing to find it is cheap either way.
        ReadOnlySequence<byte> last = line.Slice(line.Length - 1);
        return last.FirstSpan[0] == (byte)'\r' ? line.Slice(0, line.Length - 1) : line;
    }
}
