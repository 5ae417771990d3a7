using System.Diagnostics;

namespace FastIngest.Testing;

/// <summary>
/// A real small file system for disk-fault tests: a tmpfs of <c>sizeBytes</c> mounted on a folder of the
/// test's own, unmounted and removed on <see cref="Dispose"/>. Mounting needs root, which the tests have
/// here and in CI; nothing is skipped without it: the mount fails the test.
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    private readonly TempFolder _folder;

    public TmpfsMount(string purpose, long sizeBytes)
    {
        _folder = new TempFolder(purpose);
        try
        {
            Run("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "tmpfs", _folder.Path);
        }
        catch
        {
            _folder.Dispose();
            throw;
        }
    }

    public string Path => _folder.Path;

    /// <summary>Bytes still free on the file system.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>
    /// Writes a file of zeros that leaves about <paramref name="leaveFreeBytes"/> free; deleting it
    /// (<see cref="File.Delete"/>) is how a test gives the space back.
    /// </summary>
    public string Fill(string name, long leaveFreeBytes)
    {
        string path = System.IO.Path.Combine(Path, name);
        long size = Math.Max(0, FreeBytes - leaveFreeBytes);
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            byte[] chunk = new byte[64 * 1024];
            try
            {
                for (long written = 0; written < size; written += chunk.Length)
                {
                    file.Write(chunk, 0, (int)Math.Min(chunk.Length, size - written));
                }
            }
            catch (IOException) when (leaveFreeBytes == 0)
            {
                // Asked to fill it: full is what was wanted.
            }
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Run("umount", "--lazy", Path);
        }
        catch (InvalidOperationException)
        {
            // Best effort, as TempFolder: a cleanup failure never fails a test.
        }

        _folder.Dispose();
    }

    private static void Run(string command, params string[] arguments)
    {
        var psi = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(psi) ?? throw new InvalidOperationException(command + " did not start");
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        }
    }
}
