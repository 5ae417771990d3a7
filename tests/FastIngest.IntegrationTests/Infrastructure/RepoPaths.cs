namespace FastIngest.IntegrationTests.Infrastructure;

/// <summary>Finds the repository (the folder holding FastIngest.sln) from the test's output folder.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FastIngest.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("FastIngest.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => s_root.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
