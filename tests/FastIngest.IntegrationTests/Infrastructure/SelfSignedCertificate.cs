using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>A self-signed server certificate for 127.0.0.1 and localhost, as PEM files in a folder of its own.</summary>
internal sealed class SelfSignedCertificate : IDisposable
{
    private readonly TempFolder _folder;

    public SelfSignedCertificate()
    {
        _folder = new TempFolder("tls");
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // serverAuth
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        CertificatePath = _folder.Combine("server.crt");
        KeyPath = _folder.Combine("server.key");
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The certificate, PEM; self-signed, so it is its own CA file too.</summary>
    public string CertificatePath { get; }

    /// <summary>The unencrypted PKCS#8 private key, PEM.</summary>
    public string KeyPath { get; }

    /// <summary>The server arguments for a TLS syslog port on <paramref name="port"/> with this certificate.</summary>
    public string[] ServerArguments(int port) =>
    [
        $"--FastIngest:Syslog:TlsPort={port}",
        $"--FastIngest:Syslog:Tls:CertificatePath={CertificatePath}",
        $"--FastIngest:Syslog:Tls:KeyPath={KeyPath}",
    ];

    public void Dispose() => _folder.Dispose();
}
