namespace FastIngest.Core.Parsing;

/// <summary>
/// The date pieces the text parsers share (ISO 8601, syslog headers, NGINX <c>$time_local</c>), computed
/// without <see cref="DateTime"/> so no input reaches a throwing constructor.
/// </summary>
internal static class CalendarText
{
    /// <summary>A UTC offset: <c>Z</c>, <c>±HH:mm</c> or <c>±HHmm</c>, in minutes east of UTC.</summary>
    public static bool TryReadOffset(ReadOnlySpan<byte> text, out int minutes)
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
        if (!TryDigits(text, 1, 2, out int hours)
            || (text.Length == 6 && text[3] != ':')
            || !TryDigits(text, minuteAt, 2, out int offsetMinutes)
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

    /// <summary>Exactly <paramref name="count"/> ASCII digits at <paramref name="start"/>; false past the end.</summary>
    public static bool TryDigits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        if ((uint)start > (uint)s.Length || (uint)count > (uint)(s.Length - start))
        {
            return false;
        }

        for (int i = start; i < start + count; i++)
        {
            uint digit = (uint)(s[i] - '0');
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + (int)digit;
        }

        return true;
    }

    /// <summary>An English month abbreviation (<c>Jan</c> … <c>Dec</c>, as syslog and NGINX print them) as 1..12.</summary>
    public static bool TryParseMonth(ReadOnlySpan<byte> name, out int month)
    {
        ReadOnlySpan<byte> months = "JanFebMarAprMayJunJulAugSepOctNovDec"u8;
        for (int m = 0; m < 12; m++)
        {
            if (name.SequenceEqual(months.Slice(m * 3, 3)))
            {
                month = m + 1;
                return true;
            }
        }

        month = 0;
        return false;
    }

    public static int DaysInMonth(int year, int month)
    {
        if (month == 2)
        {
            bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            return leap ? 29 : 28;
        }

        return month is 4 or 6 or 9 or 11 ? 30 : 31;
    }

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").</summary>
    public static long DaysFromCivil(int year, int month, int day)
    {
        int y = month <= 2 ? year - 1 : year;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yearOfEra = y - (era * 400);
        int dayOfYear = ((153 * (month > 2 ? month - 3 : month + 9)) + 2) / 5 + day - 1;
        int dayOfEra = (yearOfEra * 365) + (yearOfEra / 4) - (yearOfEra / 100) + dayOfYear;
        return (era * 146_097L) + dayOfEra - 719_468;
    }
}
