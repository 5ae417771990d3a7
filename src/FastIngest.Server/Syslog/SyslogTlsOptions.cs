using System.Security.Cryptography.X509Certificates;

namespace FastIngest.Server.Syslog;

/// <summary>
/// <c>FastIngest:Syslog:Tls</c>: the server certificate of the syslog TLS port, either PEM files
/// (<see cref="CertificatePath"/> + <see cref="KeyPath"/>) or a PKCS#12 file (<see cref="CertificatePath"/>
/// ending in .pfx or .p12, with <see cref="Password"/>).
/// </summary>
public sealed class SyslogTlsOptions
{
    /// <summary>PEM certificate (chain) file, or a .pfx/.p12 file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key file (unencrypted PKCS#8 or PKCS#1, or encrypted with <see cref="Password"/>); not used with a .pfx.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The .pfx password, or the PEM key's.</summary>
    public string? Password { get; set; }

    private bool IsPkcs12 => CertificatePath is { } path &&
        (path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase));

    /// <summary>What is missing for a TLS port, each naming its key; empty when the files are there.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            yield return "Tls:CertificatePath is required when TlsPort is set.";
            yield break;
        }

        if (!File.Exists(CertificatePath))
        {
            yield return $"Tls:CertificatePath: '{CertificatePath}' does not exist.";
        }

        if (!IsPkcs12)
        {
            if (string.IsNullOrWhiteSpace(KeyPath))
            {
                yield return "Tls:KeyPath is required with a PEM Tls:CertificatePath.";
            }
            else if (!File.Exists(KeyPath))
            {
                yield return $"Tls:KeyPath: '{KeyPath}' does not exist.";
            }
        }
    }

    /// <summary>Loads the certificate with its private key.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The files do not hold a certificate and its key.</exception>
    public X509Certificate2 Load()
    {
        string path = CertificatePath!;
        if (IsPkcs12)
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, Password);
        }

        return string.IsNullOrEmpty(Password)
            ? X509Certificate2.CreateFromPemFile(path, KeyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, Password, KeyPath);
    }
}
