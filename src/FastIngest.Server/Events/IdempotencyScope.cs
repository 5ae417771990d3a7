using System.Net;

namespace FastIngest.Server.Events;

/// <summary>
/// Whose namespace an <c>Idempotency-Key</c> lives in, so one client can neither replay nor block another's
/// keys: the verified tenant of the API key, or, while the API is open, the client's address.
/// </summary>
internal static class IdempotencyScope
{
    /// <param name="tenant">The tenant <see cref="Http.TenantKeys.TryAuthenticate"/> verified; null in open mode.</param>
    public static string Of(HttpContext context, string? tenant) =>
        tenant is not null ? "tenant\n" + tenant : "address\n" + ClientAddress(context);

    /// <summary>
    /// The one place that decides the client's address for idempotency. Today the connection's peer;
    /// where a trusted proxy's <c>X-Forwarded-For</c> is to be believed (issue 14, item 1), plug it in here.
    /// </summary>
    private static string ClientAddress(HttpContext context)
    {
        IPAddress? address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "";
        }

        // One client, one scope, whether it reached a dual-stack socket over IPv4 or IPv6.
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
