namespace FastIngest.Core.Parsing.Formats;

/// <summary>
/// The NGINX variables a custom <c>log_format</c> may use that become <see cref="AccessLogRecord"/> fields;
/// every other variable is <see cref="Unknown"/> and stepped over.
/// </summary>
internal enum LogFormatVariable : byte
{
    Unknown = 0,
    RemoteAddr,
    /// <summary><c>$time_local</c>: always 26 bytes (<c>10/Oct/2000:13:55:36 -0700</c>).</summary>
    TimeLocal,
    /// <summary><c>$time_iso8601</c>: always 25 bytes (<c>2000-10-10T13:55:36-07:00</c>).</summary>
    TimeIso8601,
    Msec,
    /// <summary><c>$request</c>: the request line, method, target and protocol.</summary>
    Request,
    RequestMethod,
    RequestUri,
    Uri,
    Status,
    BodyBytesSent,
    BytesSent,
    RequestTime,
    HttpReferer,
    HttpUserAgent,
    HttpHost,
    Host,
    ServerName,
    UpstreamCacheStatus,
    HttpDnt,
    HttpSecGpc,
}
