using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using FastIngest.Core.Internal;

namespace FastIngest.Server.Operations;

/// <summary>
/// The FastIngest meter in the Prometheus text format (<c>GET /metrics</c>). It listens to every instrument
/// on the meter and knows none of them: an instrument's name is the metric's name, its description the
/// HELP text, its kind the TYPE (observable or recorded counter: counter; histogram: histogram; anything
/// else: gauge) and its tags the labels, in the order they were given.
/// </summary>
/// <remarks>
/// Not prometheus-net or OpenTelemetry.Exporter.Prometheus: the first keeps a second copy of every
/// counter in its own registry, the second renames what it exports (unit suffixes, <c>_total</c> rules,
/// dots to underscores), and operators, dashboards and the integration tests read today's names. Here
/// the instrument names are those names, so grepping the code for one finds where it is published.
/// </remarks>
internal sealed class PrometheusExporter : IHostedService, IDisposable
{
    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly List<MetricFamily> _families = [];
    private readonly Lock _scrape = new();

    /// <summary>
    /// Listens first, then has every registered component publish its instruments: a histogram recorded
    /// before the listener enabled it would lose that observation.
    /// </summary>
    public PrometheusExporter(IMeterFactory meters, IEnumerable<IMetricsPublisher> publishers)
    {
        ArgumentNullException.ThrowIfNull(publishers);
        _meter = FastIngestMeter.Create(meters);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // The meter instance, not its name: a test host's meter of the same name is not ours.
            if (ReferenceEquals(instrument.Meter, _meter))
            {
                var family = new MetricFamily(instrument);
                lock (_scrape)
                {
                    _families.Add(family);
                }

                listener.EnableMeasurementEvents(instrument, family);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Add(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Add(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Add(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricFamily)state!).Add(value, tags));
        _listener.Start();
        foreach (IMetricsPublisher publisher in publishers)
        {
            publisher.Publish(_meter);
        }
    }

    /// <summary>Collects the observable instruments and writes every family, in the order they were published.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            foreach (MetricFamily family in _families)
            {
                family.BeginCollect();
            }

            // Runs every observable callback on this thread; their measurements land in MetricFamily.Add.
            _listener.RecordObservableInstruments();
            var text = new StringBuilder(8192);
            foreach (MetricFamily family in _families)
            {
                family.WriteTo(text);
            }

            return text.ToString();
        }
    }

    // A hosted service only to be created with the hosted services, before any of them starts: the
    // listener is on before the sink's first flush records a latency. Nothing to start or stop.
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();

    /// <summary>Tags as a Prometheus label set (<c>a="x",b="y"</c>); empty without tags.</summary>
    internal static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }

        var labels = new StringBuilder();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (labels.Length > 0)
            {
                labels.Append(',');
            }

            labels.Append(tag.Key).Append("=\"").Append(EscapeLabel(Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "")).Append('"');
        }

        return labels.ToString();
    }

    /// <summary>A label value: tenants are restricted names, but a metric line must never break.</summary>
    private static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
