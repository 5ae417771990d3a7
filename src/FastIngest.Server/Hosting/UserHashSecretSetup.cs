using System.Security.Cryptography;
using FastIngest.Core.Aggregation;
using FastIngest.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Hosting;

/// <summary>
/// Without <c>Aggregation:VisitorSecret</c>, user ids are hashed under a random secret this host creates
/// once and keeps in the state directory (<c>user-hash.secret</c>, owner-only), so all-time unique users
/// count across restarts as they did when the hash was seeded by the tenant's name, without that hash's
/// flaw: anyone could recompute it from a list of e-mail addresses (issue 14). The secret is a key, not
/// personal data; ClickHouse never sees it.
/// </summary>
internal sealed class UserHashSecretSetup(IOptions<StateOptions> state) : IPostConfigureOptions<AggregationOptions>
{
    public const string FileName = "user-hash.secret";

    private const int SecretBytes = 32;

    public void PostConfigure(string? name, AggregationOptions options)
    {
        if (options.VisitorSecret.Length > 0)
        {
            return;
        }

        string directory = state.Value.FullPath;
        string path = Path.Combine(directory, FileName);
        if (File.Exists(path) && File.ReadAllBytes(path) is { Length: SecretBytes } stored)
        {
            options.StoredUserSecret = stored;
            return;
        }

        // Written aside and moved in, so a crash leaves the old file or the whole new one.
        byte[] secret = RandomNumberGenerator.GetBytes(SecretBytes);
        Directory.CreateDirectory(directory);
        string temporary = path + ".tmp";
        var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temporary, create))
        {
            file.Write(secret);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        options.StoredUserSecret = secret;
    }
}
