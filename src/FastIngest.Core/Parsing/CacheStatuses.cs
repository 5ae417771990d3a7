using System.Text;

namespace FastIngest.Core.Parsing;

internal static class CacheStatuses
{
    /// <summary>
    /// The last of NGINX's comma-separated statuses (one per upstream tried, "MISS, HIT"; " : " separates
    /// upstream groups after an internal redirect) is the one that answered.
    /// </summary>
    public static CacheStatus Parse(ReadOnlySpan<byte> value)
    {
        int separator = value.LastIndexOfAny((byte)',', (byte)':');
        if (separator >= 0)
        {
            value = value[(separator + 1)..];
        }

        value = value.Trim((byte)' ');
        return value.Length switch
        {
            0 => CacheStatus.None,
            1 when value[0] == '-' => CacheStatus.None,
            3 when Ascii.EqualsIgnoreCase(value, "HIT"u8) => CacheStatus.Hit,
            4 when Ascii.EqualsIgnoreCase(value, "MISS"u8) => CacheStatus.Miss,
            5 when Ascii.EqualsIgnoreCase(value, "STALE"u8) => CacheStatus.Stale,
            6 when Ascii.EqualsIgnoreCase(value, "BYPASS"u8) => CacheStatus.Bypass,
            7 when Ascii.EqualsIgnoreCase(value, "EXPIRED"u8) => CacheStatus.Expired,
            8 when Ascii.EqualsIgnoreCase(value, "UPDATING"u8) => CacheStatus.Updating,
            11 when Ascii.EqualsIgnoreCase(value, "REVALIDATED"u8) => CacheStatus.Revalidated,
            _ => CacheStatus.Other,
        };
    }
}
