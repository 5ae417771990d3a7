using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Operations;

/// <summary>Whether a request may read <c>/metrics</c> and <c>/health</c>'s details (<see cref="ManagementOptions"/>).</summary>
internal sealed class ManagementAccess
{
    private readonly int _port;
    private readonly byte[]? _keyDigest;

    public ManagementAccess(IOptions<ManagementOptions> options)
    {
        ManagementOptions management = options.Value;
        Restricted = management.Restricted;
        _port = management.Port;
        _keyDigest = string.IsNullOrEmpty(management.Key) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(management.Key));
    }

    /// <summary>False while nothing is configured: everything is public, as before.</summary>
    public bool Restricted { get; }

    /// <summary>True when a management key is configured (a refusal is then 401, otherwise 404).</summary>
    public bool HasKey => _keyDigest is not null;

    /// <summary>True when the request came in on the management port or carries the management key.</summary>
    public bool Allows(HttpContext context)
    {
        if (!Restricted || (_port > 0 && context.Connection.LocalPort == _port))
        {
            return true;
        }

        if (_keyDigest is null)
        {
            return false;
        }

        string? authorization = context.Request.Headers.Authorization;
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(digest, _keyDigest);
    }
}
