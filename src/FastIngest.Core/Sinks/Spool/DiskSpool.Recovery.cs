using System.Buffers;
using System.Globalization;

namespace FastIngest.Core.Sinks.Spool;

// Opening: indexing the segments a previous process left, before the spool takes its first append.
internal sealed partial class DiskSpool
{
    /// <summary>
    /// Indexes every record of the segments a previous process left, oldest first. A record whose header
    /// is unreadable ends its segment (nothing after it can be trusted to start where it says); one whose
    /// checksum fails is skipped. Either way it is counted as torn.
    /// </summary>
    private void IndexExistingSegments()
    {
        string[] files = System.IO.Directory.GetFiles(_directory, SegmentPattern);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (string path in files)
        {
            var segment = new Segment(path) { Bytes = new FileInfo(path).Length };
            if (long.TryParse(Path.GetFileNameWithoutExtension(path).AsSpan("segment-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out long id))
            {
                _nextSegmentId = Math.Max(_nextSegmentId, id + 1);
            }

            long torn = IndexSegment(segment);
            _tornRecords += torn;
            if (torn > 0)
            {
                Log.TornOnOpen(_logger, path, torn);
            }

            if (segment.Pending == 0)
            {
                File.Delete(path);
                continue;
            }

            _segments.Add(segment);
            _bytes += segment.Bytes;
        }

        if (_entries.Count > 0)
        {
            Log.Reopened(_logger, _entries.Count, _bytes, _directory);
        }
    }

    private long IndexSegment(Segment segment)
    {
        long torn = 0;
        using var file = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        Span<byte> header = stackalloc byte[HeaderBytes];
        long offset = 0;
        while (offset < segment.Bytes)
        {
            file.Position = offset;
            if (segment.Bytes - offset < HeaderBytes || !TryReadHeader(ReadHeader(file, header), out int compressed, out _, out long createdMs)
                || offset + HeaderBytes + compressed > segment.Bytes)
            {
                return torn + 1;
            }

            int length = HeaderBytes + compressed;
            byte[] record = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                file.Position = offset;
                file.ReadExactly(record, 0, length);
                // The checksum is enough here; decompressing is the replay's work, record by record.
                if (IsIntact(record.AsSpan(0, length)))
                {
                    _entries.Enqueue(new Entry(segment, offset, length, createdMs));
                    segment.Pending++;
                }
                else
                {
                    torn++;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(record);
            }

            offset += length;
        }

        return torn;
    }

    private static ReadOnlySpan<byte> ReadHeader(FileStream file, Span<byte> header)
    {
        file.ReadExactly(header);
        return header;
    }
}
