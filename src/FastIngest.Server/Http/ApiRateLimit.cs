namespace FastIngest.Server.Http;

/// <summary>
/// The rate limit the HTTP API's endpoints share (<c>/event</c>, <c>/ingest</c>, <c>/stats</c>): one
/// policy, configured by the host from the events options, required by each endpoint by this name.
/// </summary>
internal static class ApiRateLimit
{
    public const string Policy = "api";
}
