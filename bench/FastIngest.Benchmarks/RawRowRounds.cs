using System.Diagnostics;
using System.Globalization;

namespace FastIngest.Benchmarks;

/// <summary>
/// <c>FastIngest.Benchmarks rawrows N</c>: what raw rows cost a line (issue 16, item 4), as N interleaved
/// rounds in one process of <see cref="PipelineBenchmarks"/>' flushed shards (none, raw rows for every
/// tenant, raw rows for a tenant that sends nothing; per-tenant metrics for every tenant, issue 18), each round running each 5 × 4096 lines and a flush
/// after each 4096, rotating their order; the median and fastest round per line, and the bytes each
/// allocated over the rounds (after a warm-up that grows every arena). Rounds, as in <see cref="ParseRounds"/>,
/// because a short job's mean moves by 2–5× on the shared machine.
/// </summary>
public static class RawRowRounds
{
    public static void Run(int rounds)
    {
        var benchmarks = new PipelineBenchmarks();
        benchmarks.Setup();
        (string Name, Action Run)[] methods =
        [
            ("no raw rows", benchmarks.ShardCountsLinesAndFlushes),
            ("raw rows, every tenant", benchmarks.ShardCountsLinesAndFlushesWithRawRows),
            ("raw rows, another tenant", benchmarks.ShardCountsLinesAndFlushesWithRawRowsOfAnotherTenant),
            ("tenant metrics, every tenant", benchmarks.ShardCountsLinesAndFlushesWithTenantMetrics),
        ];
        var times = new List<double>[methods.Length];
        var allocated = new long[methods.Length];
        for (int m = 0; m < methods.Length; m++)
        {
            times[m] = new List<double>(rounds);
        }

        for (int warm = 0; warm < 50; warm++)
        {
            foreach ((_, Action run) in methods)
            {
                run();
            }
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < methods.Length; k++)
            {
                int m = (k + round) % methods.Length;
                long bytes = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                for (int n = 0; n < 5; n++)
                {
                    methods[m].Run();
                }

                times[m].Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / (5.0 * Data.Lines));
                allocated[m] += GC.GetAllocatedBytesForCurrentThread() - bytes;
            }
        }

        for (int m = 0; m < methods.Length; m++)
        {
            times[m].Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{methods[m].Name,-28} median {times[m][times[m].Count / 2],6:F0} ns/line, fastest {times[m][0],6:F0}, allocated {allocated[m]} B over {(long)rounds * 5 * Data.Lines} lines"));
        }
    }
}
