using System.Globalization;

namespace FastIngest.LoadGen;

/// <summary>
/// The process listening on a TCP port of this machine, from /proc (Linux): the socket's inode in
/// /proc/net/tcp and tcp6, then the process holding <c>socket:[inode]</c> among its open files.
/// The server exports no resident set of its own (/metrics has the managed heap only), so its RSS
/// is read from /proc/PID/status.
/// </summary>
internal static class ServerPidFinder
{
    private const string Listen = "0A";

    public static int? FindListening(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (string table in (string[])["/proc/net/tcp", "/proc/net/tcp6"])
        {
            if (File.Exists(table))
            {
                foreach (string line in File.ReadLines(table).Skip(1))
                {
                    if (ListeningInode(line, port) is { } inode)
                    {
                        inodes.Add("socket:[" + inode + "]");
                    }
                }
            }
        }

        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (string process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                foreach (string fd in Directory.EnumerateFileSystemEntries(process + "/fd"))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target))
                    {
                        return pid;
                    }
                }
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                // Another user's process, or one that ended while we looked: not the server.
            }
        }

        return null;
    }

    /// <summary>
    /// The inode of a /proc/net/tcp row (<c>sl local_address rem_address st … uid timeout inode</c>)
    /// when it listens on <paramref name="port"/>, else null.
    /// </summary>
    public static string? ListeningInode(string row, int port)
    {
        string[] fields = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 10 || fields[3] != Listen)
        {
            return null;
        }

        string local = fields[1];
        int colon = local.LastIndexOf(':');
        return colon > 0 && int.Parse(local.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port
            ? fields[9]
            : null;
    }
}
