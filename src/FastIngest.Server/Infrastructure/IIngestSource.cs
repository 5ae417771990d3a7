namespace FastIngest.Server.Infrastructure;

/// <summary>
/// A source the ingest host starts after the pipeline and stops before it, so everything a source
/// took in reaches a shard before the shards drain. Sources served by Kestrel stop with Kestrel,
/// which the host stops before this.
/// </summary>
internal interface IIngestSource
{
    void Start();

    /// <summary>Stops taking input, hands every pending message to the pipeline, then returns.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}
