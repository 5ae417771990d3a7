namespace FastIngest.Core.Parsing;

/// <summary>NGINX <c>$upstream_cache_status</c>; <see cref="None"/> when the request did not touch a cache.</summary>
internal enum CacheStatus : byte
{
    None = 0,
    Hit,
    Miss,
    Expired,
    Stale,
    Updating,
    Revalidated,
    Bypass,
    Other,
}
