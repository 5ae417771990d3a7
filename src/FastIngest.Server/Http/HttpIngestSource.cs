using FastIngest.Core.Aggregation;
using FastIngest.Core.Ingest;
using FastIngest.Server.Infrastructure;

namespace FastIngest.Server.Http;

/// <summary>
/// The way in for everything that arrives over HTTP: one <see cref="ConcurrentBatchWriter"/> shared by
/// all requests. Stopped after Kestrel, so the last requests' batches reach the shards.
/// </summary>
internal sealed class HttpIngestSource(IngestPipeline pipeline) : IIngestSource, IDisposable
{
    public ConcurrentBatchWriter Writer { get; } = new(pipeline, IngestSource.Http);

    public void Start() => Writer.Start();

    public Task StopAsync(CancellationToken cancellationToken) => Writer.StopAsync(cancellationToken);

    public void Dispose() => Writer.Dispose();
}
