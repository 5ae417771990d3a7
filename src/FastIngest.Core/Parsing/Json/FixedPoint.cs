namespace FastIngest.Core.Parsing.Json;

/// <summary>
/// Exact parsing of the non-negative decimals NGINX prints (<c>$msec</c> "1795390945.295",
/// <c>$request_time</c> "0.123", sizes "236"). Going through <see cref="double"/> would round
/// 1795390945.295 to ...294.999 and lose a millisecond, so the digits are scaled as integers.
/// </summary>
internal static class FixedPoint
{
    /// <summary>18 digits always fit a <see cref="long"/>; no access-log size comes near it.</summary>
    private const int MaxIntegerDigits = 18;

    /// <summary>Whole seconds keep 15 digits so that seconds × 1000 cannot overflow.</summary>
    private const int MaxSecondsDigits = 15;

    /// <summary>Parses ASCII digits only ("236"): no sign, no fraction, no exponent, no whitespace.</summary>
    /// <returns><see langword="false"/> for anything else, including an empty span.</returns>
    public static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if ((uint)(text.Length - 1) >= MaxIntegerDigits)
        {
            return false;
        }

        long result = 0;
        foreach (byte b in text)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            result = (result * 10) + digit;
        }

        value = result;
        return true;
    }

    /// <summary>
    /// Parses "seconds[.fraction]" into thousandths: "0.123" → 123, "0.5" → 500, "7" → 7000,
    /// "1795390945.295" → 1795390945295. Fraction digits past the third are checked and truncated,
    /// as NGINX itself truncates when it prints milliseconds.
    /// </summary>
    /// <returns><see langword="false"/> for a sign, an exponent, a bare or trailing '.', or any other byte.</returns>
    public static bool TryParseThousandths(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        int dot = text.IndexOf((byte)'.');
        ReadOnlySpan<byte> whole = dot < 0 ? text : text[..dot];
        if (whole.Length > MaxSecondsDigits || !TryParseInteger(whole, out long units))
        {
            return false;
        }

        long thousandths = 0;
        if (dot >= 0)
        {
            ReadOnlySpan<byte> fraction = text[(dot + 1)..];
            if (fraction.IsEmpty)
            {
                return false;
            }

            for (int i = 0; i < fraction.Length; i++)
            {
                uint digit = (uint)(fraction[i] - '0');
                if (digit > 9)
                {
                    return false;
                }

                if (i < 3)
                {
                    thousandths = (thousandths * 10) + digit;
                }
            }

            for (int i = fraction.Length; i < 3; i++)
            {
                thousandths *= 10;
            }
        }

        value = (units * 1000) + thousandths;
        return true;
    }
}
