using System.Net;
using FastIngest.Core.Ingest;

namespace FastIngest.Server.Http;

/// <summary>
/// Who an API request is, once <see cref="ApiAuthentication"/> has checked it: the verified key's tenant
/// (null while the API is open), the client address, and the rate limits' partition, which comes only
/// from what was verified: the tenant when keys are configured, else the client address.
/// </summary>
internal sealed class ApiCaller(string? tenant, IPAddress address)
{
    public string? Tenant { get; } = tenant;

    public IPAddress Address { get; } = address;

    /// <summary>The address's <see cref="SenderKey"/>, for the shards' per-address admission of new tenants.</summary>
    public ulong Sender { get; } = SenderKey.Of(address);

    /// <summary>The rate limits' partition: <c>tenant:…</c> (bounded by configuration) or <c>ip:…</c> (bounded by the limiters).</summary>
    public string Partition { get; } = tenant is not null ? "tenant:" + tenant : ClientAddresses.PartitionOf(address);

    /// <summary>True when the partition is a client address rather than a configured tenant.</summary>
    public bool IsAnonymous => Tenant is null;

    /// <summary>The caller <see cref="ApiAuthentication"/> stored for this request; throws on an endpoint without <c>RequireApiKey</c>.</summary>
    public static ApiCaller Of(HttpContext context) =>
        context.Features.Get<ApiCaller>() ?? throw new InvalidOperationException("The endpoint has no RequireApiKey(): its caller was never authenticated");
}
