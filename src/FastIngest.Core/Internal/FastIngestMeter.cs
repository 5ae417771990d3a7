using System.Diagnostics.Metrics;

namespace FastIngest.Core.Internal;

/// <summary>
/// The one <see cref="Meter"/> every component publishes its numbers on. It comes from the host's
/// <see cref="IMeterFactory"/>, which hands out one meter per name, so a test host or an import run gets
/// meters (and instruments) of its own instead of a process-wide static that outlives them.
/// </summary>
internal static class FastIngestMeter
{
    /// <summary>The meter's name, as <c>dotnet-counters monitor --counters FastIngest</c> shows it.</summary>
    public const string Name = "FastIngest";

    /// <summary>The FastIngest meter of <paramref name="factory"/> (the same instance on every call).</summary>
    public static Meter Create(IMeterFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.Create(Name);
    }
}
