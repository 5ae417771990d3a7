namespace FastIngest.Core.Parsing.Syslog;

/// <summary>Skipping the timestamps of both header forms: BSD <c>Mmm dd hh:mm:ss</c> and RFC 3339.</summary>
internal static partial class SyslogParser
{
    /// <summary>Skips <c>Mmm dd hh:mm:ss</c> (day space-padded or not); -1 when it is not there.</summary>
    private static int SkipBsdTimestamp(ReadOnlySpan<byte> s, int i)
    {
        if ((uint)(i + 3) > (uint)s.Length || !CalendarText.TryParseMonth(s.Slice(i, 3), out _))
        {
            return -1;
        }

        i += 3;
        if (!At(s, i, Space))
        {
            return -1;
        }

        i++;
        if (At(s, i, Space))
        {
            i++; // "Nov  2": the padded form RFC 3164 asks for
        }

        if (!CalendarText.TryDigits(s, i, 1, out int day))
        {
            return -1;
        }

        i++;
        if (CalendarText.TryDigits(s, i, 1, out int second))
        {
            day = (day * 10) + second;
            i++;
        }

        if (day is < 1 or > 31 || !At(s, i, Space))
        {
            return -1;
        }

        return SkipTime(s, i + 1);
    }

    /// <summary>
    /// Skips an RFC 3339 <c>date-time</c>: <c>YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)</c>; -1 when it is not there.
    /// </summary>
    private static int SkipRfc3339(ReadOnlySpan<byte> s, int i)
    {
        if (!CalendarText.TryDigits(s, i, 4, out _) || !At(s, i + 4, Dash)
            || !CalendarText.TryDigits(s, i + 5, 2, out int month) || month is < 1 or > 12 || !At(s, i + 7, Dash)
            || !CalendarText.TryDigits(s, i + 8, 2, out int day) || day is < 1 or > 31
            || (uint)(i + 10) >= (uint)s.Length || (s[i + 10] | 0x20) != (byte)'t')
        {
            return -1;
        }

        i = SkipTime(s, i + 11);
        if (i < 0)
        {
            return -1;
        }

        if (At(s, i, (byte)'.'))
        {
            int digits = 0;
            i++;
            while ((uint)i < (uint)s.Length && IsDigit(s[i]))
            {
                digits++;
                i++;
            }

            if (digits is < 1 or > MaxFractionDigits)
            {
                return -1;
            }
        }

        if ((uint)i >= (uint)s.Length)
        {
            return -1;
        }

        if ((s[i] | 0x20) == (byte)'z')
        {
            return i + 1;
        }

        if ((s[i] != (byte)'+' && s[i] != Dash)
            || !CalendarText.TryDigits(s, i + 1, 2, out int hours) || hours > 23 || !At(s, i + 3, Colon)
            || !CalendarText.TryDigits(s, i + 4, 2, out int minutes) || minutes > 59)
        {
            return -1;
        }

        return i + 6;
    }

    /// <summary>Skips <c>hh:mm:ss</c>; -1 when it is not there.</summary>
    private static int SkipTime(ReadOnlySpan<byte> s, int i)
    {
        // Second 60 is a leap second.
        return CalendarText.TryDigits(s, i, 2, out int hours) && hours <= 23 && At(s, i + 2, Colon)
            && CalendarText.TryDigits(s, i + 3, 2, out int minutes) && minutes <= 59 && At(s, i + 5, Colon)
            && CalendarText.TryDigits(s, i + 6, 2, out int seconds) && seconds <= 60
            ? i + 8
            : -1;
    }
}
