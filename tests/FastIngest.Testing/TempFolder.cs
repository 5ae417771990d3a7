namespace FastIngest.Testing;

/// <summary>
/// A folder of one test's own under the system's temporary folder, created at once and removed with all
/// it holds on <see cref="Dispose"/>.
/// </summary>
internal sealed class TempFolder : IDisposable
{
    /// <param name="purpose">Part of the folder's name (fastingest-PURPOSE_xxxxxxxx), to tell what left it behind.</param>
    public TempFolder(string purpose)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), UniqueName.For("fastingest-" + purpose));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A path inside the folder.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Removes the folder; cleaning up is best effort and never fails a test.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
