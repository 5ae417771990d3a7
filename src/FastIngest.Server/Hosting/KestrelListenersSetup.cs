using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FastIngest.Server.Http;
using FastIngest.Server.Infrastructure;
using FastIngest.Server.Pixel;
using FastIngest.Server.Syslog;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Hosting;

/// <summary>
/// Kestrel's listeners from the validated options: HTTP (pixel, events, /health), the pixel's own port and TCP syslog. Read
/// through <see cref="IOptions{TOptions}"/>, so a bad value fails validation at start naming its key.
/// </summary>
internal sealed class KestrelListenersSetup(IOptions<HttpOptions> http, IOptions<SyslogOptions> syslog, IOptions<PixelOptions> pixel) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        HttpOptions httpOptions = http.Value;
        SyslogOptions syslogOptions = syslog.Value;
        if (httpOptions.Port > 0)
        {
            kestrel.Listen(IPAddress.Parse(httpOptions.BindAddress), httpOptions.Port);
        }

        if (pixel.Value.Port > 0)
        {
            // The pixel on the connection, on the API's bind address: no HTTP stack in between (PixelConnectionHandler).
            kestrel.Listen(IPAddress.Parse(httpOptions.BindAddress), pixel.Value.Port, listen => listen.UseConnectionHandler<PixelConnectionHandler>());
        }

        if (syslogOptions.TcpPort > 0 || syslogOptions.TlsPort > 0)
        {
            // A TCP frame must fit in what Kestrel buffers before pausing the socket (1 MiB by default).
            kestrel.Limits.MaxRequestBufferSize = Math.Max(kestrel.Limits.MaxRequestBufferSize ?? 0, 2L * syslogOptions.MaxMessageBytes);
        }

        if (syslogOptions.TcpPort > 0)
        {
            kestrel.Listen(IPAddress.Parse(syslogOptions.BindAddress), syslogOptions.TcpPort, listen =>
            {
                listen.Use(listen.ApplicationServices.GetRequiredService<TcpSyslogAdmission>().Use);
                listen.UseConnectionHandler<TcpSyslogConnectionHandler>();
            });
        }

        if (syslogOptions.TlsPort > 0)
        {
            // RFC 5425 is octet-counted syslog inside TLS: Kestrel's TLS middleware (UseHttps is connection
            // middleware, not HTTP-only) decrypts, and the same handler frames what comes out. Admission
            // runs first, so a refused peer never costs a handshake; the handshake gets FrameTimeout, like
            // a frame, so a silent peer cannot hold a slot in it either.
            X509Certificate2 certificate = LoadCertificate(syslogOptions.Tls);
            kestrel.Listen(IPAddress.Parse(syslogOptions.BindAddress), syslogOptions.TlsPort, listen =>
            {
                listen.Use(listen.ApplicationServices.GetRequiredService<TcpSyslogAdmission>().Use);
                listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate, HandshakeTimeout = syslogOptions.FrameTimeout });
                listen.UseConnectionHandler<TcpSyslogConnectionHandler>();
            });
        }
    }

    private static X509Certificate2 LoadCertificate(SyslogTlsOptions tls)
    {
        try
        {
            return tls.Load();
        }
        catch (CryptographicException ex)
        {
            // Named, so the start fails with one line an operator can act on (Hosting/StartupFailure).
            throw new StartupException($"{SyslogOptions.SectionName}:Tls: cannot load the certificate {tls.CertificatePath} (key {tls.KeyPath}): {ex.Message}", ex);
        }
    }
}
