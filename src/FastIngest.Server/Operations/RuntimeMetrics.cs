using System.Diagnostics.Metrics;
using FastIngest.Core.Internal;

namespace FastIngest.Server.Operations;

/// <summary>
/// The process's allocation and GC numbers, under the names operators already chart (the runtime's own
/// <c>System.Runtime</c> meter has others, and <c>/metrics</c> exports only the FastIngest meter).
/// </summary>
internal sealed class RuntimeMetrics : IMetricsPublisher
{
    public void Publish(Meter meter)
    {
        meter.CreateObservableCounter("fastingest_gc_allocated_bytes_total", () => GC.GetTotalAllocatedBytes(), unit: "By", description: "Bytes allocated by the process.");
        meter.CreateObservableCounter("fastingest_gc_collections_total", Collections, description: "Garbage collections by generation.");
        meter.CreateObservableGauge("fastingest_gc_heap_bytes", () => GC.GetTotalMemory(forceFullCollection: false), unit: "By", description: "Managed heap size.");
    }

    private static Measurement<long>[] Collections()
    {
        var measurements = new Measurement<long>[GC.MaxGeneration + 1];
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            measurements[generation] = new Measurement<long>(GC.CollectionCount(generation),
                new KeyValuePair<string, object?>("generation", generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return measurements;
    }
}
