using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace FastIngest.Server.Operations;

/// <summary>
/// One instrument as a Prometheus metric family: an observable one's measurements of the current scrape,
/// or a recorded one's running aggregate per label set (a sum for counters, the last value for gauges,
/// cumulative buckets, sum and count for histograms).
/// </summary>
internal sealed class MetricFamily
{
    // OpenTelemetry's default explicit bounds, for a histogram published without bucket advice.
    private static readonly double[] s_defaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly string _name;
    private readonly string _help;
    private readonly string _type;
    private readonly Aggregation _aggregation;
    private readonly double[] _bounds = [];
    private readonly List<Series> _series = [];
    private readonly Lock _gate = new();

    public MetricFamily(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        _name = instrument.Name;
        _help = instrument.Description ?? "";
        Type kind = instrument.GetType().GetGenericTypeDefinition();
        if (kind == typeof(Histogram<>))
        {
            _type = "histogram";
            _aggregation = Aggregation.Histogram;
            _bounds = BoundsOf(instrument);
            // Empty buckets from the start, as Prometheus clients show an unlabelled histogram (and as
            // /metrics did before the first flush): a rate() over it has a first point at zero.
            _series.Add(new Series("", _bounds.Length));
        }
        else
        {
            _type = kind == typeof(ObservableCounter<>) || kind == typeof(Counter<>) ? "counter" : "gauge";
            _aggregation = instrument.IsObservable ? Aggregation.Observed
                : kind == typeof(Gauge<>) ? Aggregation.Last
                : Aggregation.Sum;
        }
    }

    private enum Aggregation
    {
        Observed,
        Sum,
        Last,
        Histogram,
    }

    /// <summary>A scrape starts: an observable instrument's measurements of the last one are gone.</summary>
    public void BeginCollect()
    {
        if (_aggregation == Aggregation.Observed)
        {
            lock (_gate)
            {
                _series.Clear();
            }
        }
    }

    public void Add(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string labels = PrometheusExporter.Labels(tags);
        lock (_gate)
        {
            if (_aggregation == Aggregation.Observed)
            {
                _series.Add(new Series(labels, _bounds.Length) { Value = value });
                return;
            }

            Series series = Find(labels);
            switch (_aggregation)
            {
                case Aggregation.Sum:
                    series.Value += value;
                    break;
                case Aggregation.Last:
                    series.Value = value;
                    break;
                default:
                    series.Observe(value, _bounds);
                    break;
            }
        }
    }

    public void WriteTo(StringBuilder text)
    {
        text.Append("# HELP ").Append(_name).Append(' ').Append(_help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))
            .Append("\n# TYPE ").Append(_name).Append(' ').Append(_type).Append('\n');
        lock (_gate)
        {
            foreach (Series series in _series)
            {
                if (_aggregation != Aggregation.Histogram)
                {
                    Sample(text, _name, series.Labels, "", series.Value);
                    continue;
                }

                string bucket = _name + "_bucket";
                string separator = series.Labels.Length > 0 ? "," : "";
                long cumulative = 0;
                for (int i = 0; i < _bounds.Length; i++)
                {
                    cumulative += series.Counts[i];
                    Sample(text, bucket, series.Labels, separator + "le=\"" + _bounds[i].ToString("R", CultureInfo.InvariantCulture) + "\"", cumulative);
                }

                Sample(text, bucket, series.Labels, separator + "le=\"+Inf\"", series.Count);
                Sample(text, _name + "_sum", series.Labels, "", series.Value);
                Sample(text, _name + "_count", series.Labels, "", series.Count);
            }
        }
    }

    private Series Find(string labels)
    {
        foreach (Series series in _series)
        {
            if (series.Labels == labels)
            {
                return series;
            }
        }

        var added = new Series(labels, _bounds.Length);
        _series.Add(added);
        return added;
    }

    private static double[] BoundsOf(Instrument instrument) => instrument switch
    {
        Instrument<double> { Advice.HistogramBucketBoundaries: { } bounds } => [.. bounds],
        Instrument<long> { Advice.HistogramBucketBoundaries: { } bounds } => ToDoubles(bounds),
        Instrument<int> { Advice.HistogramBucketBoundaries: { } bounds } => ToDoubles(bounds),
        _ => s_defaultBounds,
    };

    private static double[] ToDoubles<T>(IReadOnlyList<T> bounds)
        where T : struct, IConvertible
    {
        var doubles = new double[bounds.Count];
        for (int i = 0; i < doubles.Length; i++)
        {
            doubles[i] = bounds[i].ToDouble(CultureInfo.InvariantCulture);
        }

        return doubles;
    }

    private static void Sample(StringBuilder text, string name, string labels, string extraLabel, double value)
    {
        text.Append(name);
        if (labels.Length + extraLabel.Length > 0)
        {
            text.Append('{').Append(labels).Append(extraLabel).Append('}');
        }

        text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>One label set: its value (observed, summed or last), or a histogram's buckets, sum and count.</summary>
    private sealed class Series(string labels, int bounds)
    {
        public string Labels { get; } = labels;

        public double Value { get; set; }

        public long[] Counts { get; } = new long[bounds + 1];

        public long Count { get; private set; }

        public void Observe(double value, double[] upperBounds)
        {
            int bucket = 0;
            while (bucket < upperBounds.Length && value > upperBounds[bucket])
            {
                bucket++;
            }

            Counts[bucket]++;
            Count++;
            Value += value;
        }
    }
}
