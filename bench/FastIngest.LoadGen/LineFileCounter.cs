namespace FastIngest.LoadGen;

/// <summary>A peer's figure: complete lines its output file holds (rsyslog <c>omfile</c>).</summary>
internal sealed class LineFileCounter(string path) : ICounter
{
    public string Describe => "lines in " + path;

    public async Task<long> ReadAsync()
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 20, FileOptions.SequentialScan);
        byte[] buffer = new byte[1 << 20];
        long lines = 0;
        int read;
        while ((read = await file.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return lines;
    }
}
