namespace FastIngest.Server.Http;

/// <summary>Endpoint metadata: <see cref="ApiAuthentication"/> checks the request's API key before any limiter runs.</summary>
internal sealed class ApiKeyRequired
{
    public static readonly ApiKeyRequired Instance = new();

    private ApiKeyRequired()
    {
    }
}
