namespace FastIngest.Core.Parsing.Json;

/// <summary>
/// Parses NGINX <c>$time_iso8601</c> ("2026-11-22T23:42:25+00:00") without <see cref="DateTime"/>,
/// so no input can reach a throwing constructor.
/// </summary>
internal static class Iso8601
{
    private const int DateTimeLength = 19; // "yyyy-MM-ddTHH:mm:ss"

    /// <summary>
    /// Accepts <c>yyyy-MM-dd</c>, 'T' (or 't' or a space as RFC 3339 allows), <c>HH:mm:ss</c>, an optional
    /// fraction of any length (milliseconds kept, the rest truncated) and a required offset: 'Z', 'z',
    /// <c>±HH:mm</c> or <c>±HHmm</c>. A time without an offset is refused: its instant is unknown.
    /// </summary>
    /// <param name="text">The value, nothing around it.</param>
    /// <param name="unixMilliseconds">The instant in Unix milliseconds UTC.</param>
    /// <returns><see langword="false"/> for any other shape or an impossible date or time.</returns>
    public static bool TryParseUnixMilliseconds(ReadOnlySpan<byte> text, out long unixMilliseconds)
    {
        unixMilliseconds = 0;
        if (text.Length <= DateTimeLength
            || !CalendarText.TryDigits(text, 0, 4, out int year) || text[4] != '-'
            || !CalendarText.TryDigits(text, 5, 2, out int month) || text[7] != '-'
            || !CalendarText.TryDigits(text, 8, 2, out int day)
            || text[10] is not ((byte)'T' or (byte)'t' or (byte)' ')
            || !CalendarText.TryDigits(text, 11, 2, out int hour) || text[13] != ':'
            || !CalendarText.TryDigits(text, 14, 2, out int minute) || text[16] != ':'
            || !CalendarText.TryDigits(text, 17, 2, out int second))
        {
            return false;
        }

        int position = DateTimeLength;
        int millisecond = 0;
        if (text[position] == '.')
        {
            position++;
            int digits = 0;
            while (position < text.Length && (uint)(text[position] - '0') <= 9)
            {
                if (digits < 3)
                {
                    millisecond = (millisecond * 10) + (text[position] - '0');
                }

                digits++;
                position++;
            }

            if (digits == 0)
            {
                return false;
            }

            for (; digits < 3; digits++)
            {
                millisecond *= 10;
            }
        }

        if (!CalendarText.TryReadOffset(text[position..], out int offsetMinutes))
        {
            return false;
        }

        // Leap seconds (:60) are refused: NGINX prints the system clock, which never shows one.
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > CalendarText.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        long seconds = (CalendarText.DaysFromCivil(year, month, day) * 86_400L) + (hour * 3600) + (minute * 60) + second - (offsetMinutes * 60L);
        unixMilliseconds = (seconds * 1000) + millisecond;
        return true;
    }
}
