using System.Reflection;
using System.Security.Cryptography;

namespace FastIngest.Server.Dashboard;

/// <summary>
/// The dashboard's static files (Dashboard/wwwroot, uPlot in lib/), embedded in the assembly by the build
/// (FastIngest.Server.csproj) and read into memory once: a few tens of KB, so the page never depends on the
/// process's working directory or a publish layout, and nothing on disk can be swapped under a running server.
/// </summary>
internal sealed class DashboardFiles
{
    private const string Prefix = "dashboard/";
    private readonly Dictionary<string, DashboardFile> _files = new(StringComparer.Ordinal);

    public DashboardFiles()
    {
        Assembly assembly = typeof(DashboardFiles).Assembly;
        foreach (string name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            using Stream stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            byte[] content = buffer.ToArray();
            string etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
            _files[name[Prefix.Length..]] = new DashboardFile(content, ContentTypeOf(name), etag);
        }
    }

    /// <summary>The file at <paramref name="path"/> relative to the dashboard's root (e.g. <c>lib/uPlot.min.css</c>).</summary>
    public bool TryGet(string path, out DashboardFile file) => _files.TryGetValue(path, out file!);

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "text/plain; charset=utf-8",
    };
}
