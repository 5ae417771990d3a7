namespace FastIngest.Core.Parsing.Json;

/// <summary>The <c>log_format fastingest</c> properties <see cref="NginxJsonParser"/> reads; all others are skipped.</summary>
internal enum NginxJsonField : byte
{
    Unknown = 0,
    Msec,
    TimeIso8601,
    Status,
    BytesSent,
    BodyBytesSent,
    RequestTime,
    UpstreamCacheStatus,
    RequestMethod,
    Uri,
    RequestUri,
    HttpHost,
    Host,
    RemoteAddr,
    HttpUserAgent,
    HttpReferer,
    HttpDnt,
    HttpSecGpc,
}
