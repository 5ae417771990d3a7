using System.Net;
using FastIngest.Server.Operations;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Hosting;

/// <summary>
/// The management listener (<c>FastIngest:Management:Port</c>), when configured: the same application,
/// where <c>/metrics</c> and <c>/health</c>'s details answer without a key (<see cref="ManagementAccess"/>).
/// Bind it to an interface the public can't reach.
/// </summary>
internal sealed class ManagementListenerSetup(IOptions<ManagementOptions> management) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        ManagementOptions options = management.Value;
        if (options.Port > 0)
        {
            kestrel.Listen(IPAddress.Parse(options.BindAddress), options.Port);
        }
    }
}
