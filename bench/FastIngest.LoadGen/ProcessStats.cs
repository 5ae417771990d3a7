using System.Globalization;

namespace FastIngest.LoadGen;

/// <summary>CPU time and peak RSS of the server under test, from /proc (Linux).</summary>
internal readonly record struct ProcessStats(double CpuSeconds, long PeakRssBytes, long RssBytes)
{
    // USER_HZ: the unit of utime and stime in /proc/PID/stat, 100 on every Linux we run on.
    private const double ClockTicksPerSecond = 100;

    public static ProcessStats? Read(int? pid)
    {
        if (pid is not int id || !File.Exists($"/proc/{id}/stat"))
        {
            return null;
        }

        // comm (field 2) may hold spaces; fields after its closing parenthesis are plain.
        string stat = File.ReadAllText($"/proc/{id}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        double cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
        long peak = 0, rss = 0;
        foreach (string line in File.ReadLines($"/proc/{id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line);
            }
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
        }

        return new ProcessStats(cpu, peak, rss);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
