using System.IO.Hashing;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace FastIngest.Server.Files;

/// <summary>
/// Where a tailed log was read up to, saved only once every line before <see cref="Offset"/> is in
/// ClickHouse. The file is known by device and inode (a rename keeps them) and by the XxHash128 of its
/// first bytes (a copytruncate keeps the inode but not the content; the copy keeps the content but not
/// the inode), so a restart finds it again wherever rotation moved it.
/// </summary>
internal sealed record TailCheckpoint(ulong Device, ulong Inode, int FingerprintLength, string Fingerprint, long Offset)
{
    public const int MaxFingerprintBytes = 4096;

    public static TailCheckpoint? Load(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), TailCheckpointJson.Default.TailCheckpoint) : null;
        }
        catch (JsonException)
        {
            // A torn write from a crash: start over from what the files say (see FileTail.Resume).
            return null;
        }
    }

    public void Save(string path)
    {
        string temporary = path + ".tmp";
        try
        {
            File.WriteAllText(temporary, JsonSerializer.Serialize(this, TailCheckpointJson.Default.TailCheckpoint));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The checkpoint at path is untouched (written aside, then renamed); don't leave a torn copy.
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
            }

            throw;
        }
    }

    /// <summary>The fingerprint of a file's first <paramref name="length"/> bytes (fewer if it is shorter).</summary>
    public static string FingerprintOf(SafeFileHandle file, int length)
    {
        Span<byte> head = stackalloc byte[MaxFingerprintBytes];
        int read = 0;
        while (read < length)
        {
            int n = RandomAccess.Read(file, head[read..length], read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return Convert.ToHexString(XxHash128.Hash(head[..read]));
    }

    public static string? FingerprintOf(string path, int length)
    {
        try
        {
            using SafeFileHandle file = File.OpenHandle(path);
            return FingerprintOf(file, length);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
