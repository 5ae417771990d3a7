using System.Buffers;

namespace FastIngest.Core.Parsing;

/// <summary>
/// What a tenant or pixel key may look like: 1 to 64 bytes of <c>[A-Za-z0-9_.-]</c>. Names become
/// ClickHouse values, metric tags and URL segments; a small fixed alphabet keeps them safe in all three.
/// </summary>
internal static class NameRules
{
    public const int MaxLength = 64;

    private static readonly SearchValues<byte> s_bytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"u8);

    public static bool IsValid(ReadOnlySpan<byte> name) =>
        name.Length is > 0 and <= MaxLength && !name.ContainsAnyExcept(s_bytes);
}
