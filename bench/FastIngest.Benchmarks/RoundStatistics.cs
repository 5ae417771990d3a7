namespace FastIngest.Benchmarks;

/// <summary>What the interleaved-rounds modes (ParseRounds, AgentRounds, ReferrerRounds) report of a method's per-round times.</summary>
internal static class RoundStatistics
{
    /// <summary>The upper median (the middle of an odd count), as every rounds mode has printed it.</summary>
    public static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
