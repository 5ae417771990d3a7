using System.Globalization;
using BenchmarkDotNet.Running;

if (args is ["rawrows", string n])
{
    // Raw rows on and off, interleaved; see RawRowRounds.
    FastIngest.Benchmarks.RawRowRounds.Run(int.Parse(n, CultureInfo.InvariantCulture));
    return;
}

if (args is ["referrers", string referrerRounds])
{
    // Issue 18: referrer classification per referrer, interleaved; see ReferrerRounds.
    FastIngest.Benchmarks.ReferrerRounds.Run(int.Parse(referrerRounds, CultureInfo.InvariantCulture));
    return;
}

if (args is ["agents", string agentRounds])
{
    // The user-agent classifier (issue 18), interleaved with the JSON parse it will follow; see AgentRounds.
    FastIngest.Benchmarks.AgentRounds.Run(int.Parse(agentRounds, CultureInfo.InvariantCulture));
    return;
}

if (args is ["agentcache", string cacheRounds])
{
    // Issue 18: a shard's line with and without its user-agent cache, interleaved; see AgentCacheRounds.
    FastIngest.Benchmarks.AgentCacheRounds.Run(int.Parse(cacheRounds, CultureInfo.InvariantCulture));
    return;
}

if (args is ["rounds", string count, ..])
{
    // Interleaved parse rounds for a shared machine; see ParseRounds. A third argument runs one method
    // alone (for a profiler).
    FastIngest.Benchmarks.ParseRounds.Run(int.Parse(count, CultureInfo.InvariantCulture), args.Length > 2 ? args[2] : null);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(FastIngest.Benchmarks.Data).Assembly).Run(args);
