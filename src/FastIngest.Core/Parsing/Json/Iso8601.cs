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
            || !TryReadDigits(text, 0, 4, out int year) || text[4] != '-'
            || !TryReadDigits(text, 5, 2, out int month) || text[7] != '-'
            || !TryReadDigits(text, 8, 2, out int day)
            || text[10] is not ((byte)'T' or (byte)'t' or (byte)' ')
            || !TryReadDigits(text, 11, 2, out int hour) || text[13] != ':'
            || !TryReadDigits(text, 14, 2, out int minute) || text[16] != ':'
            || !TryReadDigits(text, 17, 2, out int second))
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

        if (!TryReadOffset(text[position..], out int offsetMinutes))
        {
            return false;
        }

        // Leap seconds (:60) are refused: NGINX prints the system clock, which never shows one.
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        long seconds = (DaysFromCivil(year, month, day) * 86_400L) + (hour * 3600) + (minute * 60) + second - (offsetMinutes * 60L);
        unixMilliseconds = (seconds * 1000) + millisecond;
        return true;
    }

    private static bool TryReadOffset(ReadOnlySpan<byte> text, out int minutes)
    {
        minutes = 0;
        if (text.Length == 1)
        {
            return text[0] is (byte)'Z' or (byte)'z';
        }

        if (text.Length is not (5 or 6) || text[0] is not ((byte)'+' or (byte)'-'))
        {
            return false;
        }

        int minuteAt = text.Length == 6 ? 4 : 3;
        if (!TryReadDigits(text, 1, 2, out int hours)
            || (text.Length == 6 && text[3] != ':')
            || !TryReadDigits(text, minuteAt, 2, out int offsetMinutes)
            || hours > 23 || offsetMinutes > 59)
        {
            return false;
        }

        minutes = (hours * 60) + offsetMinutes;
        if (text[0] == '-')
        {
            minutes = -minutes;
        }

        return true;
    }

    private static bool TryReadDigits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (int i = start; i < start + count; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + (int)digit;
        }

        return true;
    }

    private static int DaysInMonth(int year, int month)
    {
        if (month == 2)
        {
            bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            return leap ? 29 : 28;
        }

        return month is 4 or 6 or 9 or 11 ? 30 : 31;
    }

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").</summary>
    private static long DaysFromCivil(int year, int month, int day)
    {
        int y = month <= 2 ? year - 1 : year;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yearOfEra = y - (era * 400);
        int dayOfYear = ((153 * (month > 2 ? month - 3 : month + 9)) + 2) / 5 + day - 1;
        int dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146_097L) + dayOfEra - 719_468;
    }
}
