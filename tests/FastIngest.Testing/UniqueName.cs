namespace FastIngest.Testing;

/// <summary>Names no other test, and no other run of this one, uses: of a database, a table, a folder.</summary>
internal static class UniqueName
{
    /// <summary><paramref name="prefix"/>, an underscore and eight hex digits, e.g. <c>tcp_1f3a9c0b</c>.</summary>
    public static string For(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..8];
}
