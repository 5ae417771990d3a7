namespace FastIngest.Core.Ingest;

/// <summary>What the body of an <see cref="IngestEntry"/> holds, so the shard knows which parser to run.</summary>
internal enum MessageKind : byte
{
    /// <summary>One NGINX <c>fastingest</c> JSON access-log line.</summary>
    NginxJson = 0,

    /// <summary>
    /// One <c>fastingest</c> JSON line whose tenant is its own <c>http_host</c> (without the port), for a
    /// file that mixes virtual hosts; routed by an empty tenant, so such files count on one shard.
    /// </summary>
    NginxJsonHostTenant,

    /// <summary>One line of NGINX's classic <c>combined</c> access-log format (files, bulk import).</summary>
    CombinedLog,

    /// <summary>A request for the tracking pixel served by FastIngest, encoded as a <see cref="Aggregation.PixelHit"/>.</summary>
    PixelHit,

    /// <summary>An analytics event from <c>POST /event</c> or <c>/ingest</c>, encoded as an <see cref="Aggregation.EventMessage"/>.</summary>
    Event,

    /// <summary>Refused before parsing (framing, syslog header): the body is a sample of the input.</summary>
    Rejected,
}
