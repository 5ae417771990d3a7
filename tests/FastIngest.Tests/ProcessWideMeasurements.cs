namespace FastIngest.Tests;

/// <summary>
/// Tests that measure the whole process (<c>GC.GetTotalAllocatedBytes</c>: receive threads, shards,
/// Kestrel) run alone, after the parallel ones: another test class allocating meanwhile would count too.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeasurements
{
    public const string Name = "Process-wide measurements";
}
