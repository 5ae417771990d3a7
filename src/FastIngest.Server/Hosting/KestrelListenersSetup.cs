using System.Net;
using FastIngest.Server.Http;
using FastIngest.Server.Syslog;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Hosting;

/// <summary>
/// Kestrel's listeners from the validated options: HTTP (pixel, events, /health) and TCP syslog. Read
/// through <see cref="IOptions{TOptions}"/>, so a bad value fails validation at start naming its key.
/// </summary>
internal sealed class KestrelListenersSetup(IOptions<HttpOptions> http, IOptions<SyslogOptions> syslog) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        HttpOptions httpOptions = http.Value;
        SyslogOptions syslogOptions = syslog.Value;
        if (httpOptions.Port > 0)
        {
            kestrel.Listen(IPAddress.Parse(httpOptions.BindAddress), httpOptions.Port);
        }

        if (syslogOptions.TcpPort > 0)
        {
            kestrel.Listen(IPAddress.Parse(syslogOptions.BindAddress), syslogOptions.TcpPort, listen => listen.UseConnectionHandler<TcpSyslogConnectionHandler>());
            // A TCP frame must fit in what Kestrel buffers before pausing the socket (1 MiB by default).
            kestrel.Limits.MaxRequestBufferSize = Math.Max(kestrel.Limits.MaxRequestBufferSize ?? 0, 2L * syslogOptions.MaxMessageBytes);
        }
    }
}
