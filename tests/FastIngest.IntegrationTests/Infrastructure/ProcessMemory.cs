using System.Globalization;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>What a process holds in memory, from <c>/proc/{pid}/status</c> (Linux).</summary>
internal static class ProcessMemory
{
    /// <summary>VmHWM: the process's peak resident set, in kB.</summary>
    public static long PeakRssKilobytes(int pid) => Field(pid, "VmHWM:");

    /// <summary>VmRSS: the process's resident set now, in kB.</summary>
    public static long RssKilobytes(int pid) => Field(pid, "VmRSS:");

    private static long Field(int pid, string name)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                return long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("no " + name + " in /proc/" + pid + "/status");
    }
}
