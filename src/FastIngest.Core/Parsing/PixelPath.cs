namespace FastIngest.Core.Parsing;

/// <summary>
/// The tracking pixel's URL, <c>/p/{tenant}/{key}.gif</c>: served by FastIngest itself, or by NGINX
/// (<c>empty_gif</c>) and then recognised in its access log, so both count the same way.
/// </summary>
internal static class PixelPath
{
    private static ReadOnlySpan<byte> Prefix => "/p/"u8;

    private static ReadOnlySpan<byte> Suffix => ".gif"u8;

    /// <summary>
    /// Splits a path that has the pixel's shape. <paramref name="reason"/> is
    /// <see cref="RejectReason.None"/> when it is not a pixel path at all (another page), or says why a
    /// pixel path names no valid tenant or key.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> path, out Range tenant, out Range key, out RejectReason reason)
    {
        tenant = key = default;
        reason = RejectReason.None;
        if (!path.StartsWith(Prefix) || !path.EndsWith(Suffix))
        {
            return false;
        }

        ReadOnlySpan<byte> rest = path[Prefix.Length..^Suffix.Length];
        int slash = rest.IndexOf((byte)'/');
        if (slash < 0)
        {
            return false;
        }

        tenant = new Range(Prefix.Length, Prefix.Length + slash);
        key = new Range(Prefix.Length + slash + 1, path.Length - Suffix.Length);
        if (!NameRules.IsValid(path[tenant]))
        {
            reason = RejectReason.InvalidTenant;
            return false;
        }

        if (!NameRules.IsValid(path[key]))
        {
            reason = RejectReason.InvalidKey;
            return false;
        }

        return true;
    }
}
