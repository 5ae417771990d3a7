using System.Diagnostics.Metrics;

namespace FastIngest.Core.Internal;

/// <summary>
/// A component's numbers as instruments on the FastIngest meter. The callbacks read the counters the
/// component already keeps as plain fields, so publishing costs the hot path nothing; they run only when
/// someone (the <c>/metrics</c> exporter, <c>dotnet-counters</c>) collects.
/// </summary>
internal interface IMetricsPublisher
{
    /// <summary>Creates this component's instruments on <paramref name="meter"/>; called once, at start-up.</summary>
    void Publish(Meter meter);
}
