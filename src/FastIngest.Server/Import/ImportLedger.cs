using System.Globalization;
using System.IO.Hashing;
using FastIngest.Core.Internal;

namespace FastIngest.Server.Import;

/// <summary>
/// What <c>import</c> has already counted, so running it again on the same files adds nothing and on a
/// grown file adds only the new lines. A file is known by the XxHash128 of its first bytes (up to
/// <see cref="FingerprintBytes"/>, after decompression), per tenant and format, not by its name:
/// rotation renames files.
/// </summary>
/// <remarks>Entries are appended only after ClickHouse confirmed every line of the run.</remarks>
internal sealed class ImportLedger
{
    public const int FingerprintBytes = 4096;
    private const string FileName = "imports.log";

    private readonly string _path;
    private readonly List<Entry> _entries = [];

    public ImportLedger(string directory)
    {
        Directory.CreateDirectory(directory);
        _path = System.IO.Path.Combine(directory, FileName);
        if (!File.Exists(_path))
        {
            return;
        }

        foreach (string line in File.ReadLines(_path))
        {
            string[] f = line.Split('\t');
            if (f.Length >= 5 && int.TryParse(f[2], CultureInfo.InvariantCulture, out int length) && long.TryParse(f[4], CultureInfo.InvariantCulture, out long imported))
            {
                _entries.Add(new Entry(f[0], f[1], length, f[3], imported));
            }
        }
    }

    /// <summary>Bytes of this content already imported for this tenant and format (0 when new).</summary>
    public long ImportedBytes(string tenant, string format, ReadOnlySpan<byte> head)
    {
        long imported = 0;
        foreach (Entry entry in _entries)
        {
            if (entry.Tenant == tenant && entry.Format == format && entry.FingerprintLength <= head.Length
                && Fingerprint(head[..entry.FingerprintLength]) == entry.Fingerprint)
            {
                imported = Math.Max(imported, entry.ImportedBytes);
            }
        }

        return imported;
    }

    /// <summary>The ledger file.</summary>
    public string Path => _path;

    /// <summary>
    /// Appends an entry, durably. Throws <see cref="IOException"/> when the disk refuses it (ENOSPC, EIO);
    /// what part of the line reached the file is cut off again, so the ledger stays readable.
    /// </summary>
    public void Record(string tenant, string format, ReadOnlySpan<byte> head, long importedBytes, string path)
    {
        var entry = new Entry(tenant, format, head.Length, Fingerprint(head), importedBytes);
        byte[] line = System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{entry.Tenant}\t{entry.Format}\t{entry.FingerprintLength}\t{entry.Fingerprint}\t{entry.ImportedBytes}\t{DateTimeOffset.UtcNow:O}\t{path}\n"));
        using var file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);
        long before = file.Seek(0, SeekOrigin.End);
        try
        {
            file.Write(line);
            file.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // If even the cut is refused the line stays torn: one with too few fields or a bad number is
            // skipped when the ledger is read.
            file.TryTruncate(before, out _);
            throw;
        }

        _entries.Add(entry);
    }

    private static string Fingerprint(ReadOnlySpan<byte> head) => Convert.ToHexString(XxHash128.Hash(head));

    private sealed record Entry(string Tenant, string Format, int FingerprintLength, string Fingerprint, long ImportedBytes);
}
