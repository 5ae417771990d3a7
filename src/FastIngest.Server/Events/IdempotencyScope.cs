using System.Net;
using FastIngest.Server.Http;

namespace FastIngest.Server.Events;

/// <summary>
/// Whose namespace an <c>Idempotency-Key</c> lives in, so one client can neither replay nor block another's
/// keys: the verified tenant of the API key, or, while the API is open, the client's address.
/// </summary>
internal static class IdempotencyScope
{
    /// <param name="caller">Its tenant is the one <see cref="TenantKeys.TryAuthenticate"/> verified; null in open mode.</param>
    public static string Of(ApiCaller caller) =>
        caller.Tenant is not null ? "tenant\n" + caller.Tenant : "address\n" + ClientAddress(caller.Address);

    // The address ApiAuthentication resolved: the TCP peer, or the first untrusted X-Forwarded-For entry
    // behind a known proxy. One client, one scope, whether it came over IPv4 or IPv6.
    private static string ClientAddress(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
