using System.Security.Cryptography;
using System.Text;

namespace FastIngest.Server.Http;

/// <summary>
/// The API keys of <c>FastIngest:Tenants:{tenant}:ApiKeys</c>. A key belongs to one tenant and may send
/// events and read stats for the site_id equal to that tenant. With no tenants configured the API is
/// open (the local default). Keys are kept as SHA-256 digests and compared in constant time.
/// </summary>
internal sealed class TenantKeys
{
    private readonly List<(byte[] Digest, string Tenant)> _keys = [];

    public TenantKeys(IDictionary<string, TenantSettings> tenants)
    {
        foreach ((string tenant, TenantSettings settings) in tenants)
        {
            foreach (string key in settings.ApiKeys.Where(k => !string.IsNullOrEmpty(k)))
            {
                _keys.Add((Digest(key), tenant));
            }
        }
    }

    public bool Enabled => _keys.Count > 0;

    /// <summary>
    /// The tenant of the request's key (<c>Authorization: Bearer …</c> or <c>X-Api-Key</c>); null when
    /// keys are configured and the request has none or a wrong one.
    /// </summary>
    public string? Authenticate(HttpRequest request)
    {
        string? key = KeyOf(request);
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        byte[] digest = Digest(key);
        string? tenant = null;
        // Every key is compared, so the time taken says nothing about which one (or whether one) matched.
        foreach ((byte[] known, string owner) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, known))
            {
                tenant = owner;
            }
        }

        return tenant;
    }

    /// <summary>
    /// False when keys are configured and the request has none or a wrong one; otherwise true, with the
    /// key's <paramref name="tenant"/> (null while the API is open).
    /// </summary>
    public bool TryAuthenticate(HttpRequest request, out string? tenant)
    {
        tenant = null;
        if (!Enabled)
        {
            return true;
        }

        tenant = Authenticate(request);
        return tenant is not null;
    }

    /// <summary>The key a request carries, verified or not (so never a limiter partition: <see cref="ApiCaller"/>); never logged.</summary>
    public static string? KeyOf(HttpRequest request)
    {
        string? authorization = request.Headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        string? header = request.Headers["X-Api-Key"];
        return string.IsNullOrWhiteSpace(header) ? null : header.Trim();
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
