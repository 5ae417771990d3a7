using System.Globalization;

namespace FastIngest.LoadGen;

/// <summary>The bare receiver's figure: the running count it rewrites into a file every 100 ms.</summary>
internal sealed class CountFileCounter(string path) : ICounter
{
    public string Describe => "count in " + path;

    public async Task<long> ReadAsync()
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                string text = await File.ReadAllTextAsync(path).ConfigureAwait(false);
                if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                {
                    return count;
                }
            }
            catch (IOException) when (attempt < 20)
            {
            }

            if (attempt >= 20)
            {
                throw new InvalidDataException("no count in " + path);
            }

            // Caught between the receiver's truncate and write: read again.
            await Task.Delay(20).ConfigureAwait(false);
        }
    }
}
