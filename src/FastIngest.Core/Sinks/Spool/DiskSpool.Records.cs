using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using FastIngest.Core.Internal;
using K4os.Compression.LZ4;

namespace FastIngest.Core.Sinks.Spool;

// The record format on disk: a fixed header with a checksum, then the LZ4 body. Changing it strands
// spools written by an earlier version; TryReadHeader and IsIntact are what opening and replay trust.
internal sealed partial class DiskSpool
{
    // Record: magic, compressed length, raw length, created (Unix ms), XxHash64 of bytes 4..20 and the body.
    private const int HeaderBytes = 28;
    private const uint Magic = 0x4C4F5053; // "SPOL"

    private static ulong Checksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        var hash = new XxHash64();
        hash.Append(header[4..20]);
        hash.Append(body);
        return hash.GetCurrentHashAsUInt64();
    }

    private static bool TryRead(Entry entry, PooledBufferWriter destination)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(entry.Length);
        try
        {
            using (var file = new FileStream(entry.Segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0))
            {
                file.Position = entry.Offset;
                file.ReadExactly(buffer, 0, entry.Length);
            }

            return TryDecode(buffer.AsSpan(0, entry.Length), destination);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A whole record (header included) whose header reads and whose checksum holds.</summary>
    private static bool IsIntact(ReadOnlySpan<byte> record) =>
        TryReadHeader(record, out int compressed, out _, out _)
        && record.Length == HeaderBytes + compressed
        && BinaryPrimitives.ReadUInt64LittleEndian(record[20..]) == Checksum(record, record.Slice(HeaderBytes, compressed));

    /// <summary>Checks and decompresses one whole record (header included).</summary>
    private static bool TryDecode(ReadOnlySpan<byte> record, PooledBufferWriter destination)
    {
        if (!IsIntact(record))
        {
            return false;
        }

        int raw = BinaryPrimitives.ReadInt32LittleEndian(record[8..]);
        int decoded = LZ4Codec.Decode(record[HeaderBytes..], destination.GetSpan(raw)[..raw]);
        if (decoded != raw)
        {
            return false;
        }

        destination.Advance(raw);
        return true;
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> header, out int compressed, out int raw, out long createdMs)
    {
        compressed = raw = 0;
        createdMs = 0;
        if (header.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
        {
            return false;
        }

        compressed = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        raw = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        createdMs = BinaryPrimitives.ReadInt64LittleEndian(header[12..]);
        return compressed > 0 && raw > 0 && raw <= int.MaxValue / 2 && compressed <= LZ4Codec.MaximumOutputSize(raw);
    }
}
