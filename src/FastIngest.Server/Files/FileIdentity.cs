using System.Runtime.InteropServices;

namespace FastIngest.Server.Files;

/// <summary>
/// A file as the kernel knows it: device and inode survive a rename, so they tell a rotated file from
/// its successor at the same path. Read with stat(2); the offsets of st_dev (0), st_ino (8) and
/// st_size (48) are the same on Linux x86-64 and arm64.
/// </summary>
internal readonly partial record struct FileIdentity(ulong Device, ulong Inode, long Size)
{
    private const int StatBufferBytes = 256;

    public bool SameFileAs(FileIdentity other) => Device == other.Device && Inode == other.Inode;

    public static bool TryGet(string path, out FileIdentity identity)
    {
        identity = default;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        Span<byte> stat = stackalloc byte[StatBufferBytes];
        if (Stat(path, ref MemoryMarshal.GetReference(stat)) != 0)
        {
            return false;
        }

        identity = new FileIdentity(
            MemoryMarshal.Read<ulong>(stat),
            MemoryMarshal.Read<ulong>(stat[8..]),
            MemoryMarshal.Read<long>(stat[48..]));
        return true;
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, ref byte buffer);
}
