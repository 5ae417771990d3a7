using System.Diagnostics.Metrics;
using FastIngest.Core.Internal;

namespace FastIngest.Server.Http;

/// <summary>The HTTP API's refusals before a handler: <c>fastingest_http_refused_total{reason}</c>.</summary>
internal sealed class ApiRefusalMetrics(ApiRefusals refusals, IngestLimits limits) : IMetricsPublisher
{
    public void Publish(Meter meter)
    {
        meter.CreateObservableCounter("fastingest_http_refused_total", () => (Measurement<long>[])
            [
                new(refusals.Unauthorized, new KeyValuePair<string, object?>("reason", "unauthorized")),
                new(refusals.RequestRate, new KeyValuePair<string, object?>("reason", "request_rate")),
                new(refusals.Bytes, new KeyValuePair<string, object?>("reason", "bytes_rate")),
                new(refusals.Concurrency, new KeyValuePair<string, object?>("reason", "concurrency")),
                new(refusals.Partitions, new KeyValuePair<string, object?>("reason", "address_partitions")),
            ],
            description: "HTTP API requests refused before their handler: 401 (unauthorized) or 429 (a limit), by reason.");
        meter.CreateObservableGauge("fastingest_http_ingest_partitions", () => limits.Partitions,
            description: "Partitions (tenants and client addresses) /ingest's byte and concurrency limits hold state for.");
    }
}
