namespace FastIngest.Core.Parsing.Referrers;

/// <summary>
/// Whether the text after a <c>label.*</c> pattern looks like a public suffix: one TLD (<c>de</c>,
/// <c>com</c>, <c>xn--p1ai</c>), or a common second level plus a two-letter country code (<c>co.uk</c>,
/// <c>com.br</c>). Not the Public Suffix List (too large to ship and keep for this): its job is only to
/// stop <c>google.evil.example</c> reading as Google, which a two-label ending with an unknown second
/// level does.
/// </summary>
internal static class PublicSuffixShape
{
    /// <summary>True when <paramref name="rest"/> is a TLD or <c>co|com|net|org|or|ne|ac|go|gob|gov|edu</c> + a country code.</summary>
    public static bool Matches(ReadOnlySpan<byte> rest)
    {
        int dot = rest.IndexOf((byte)'.');
        if (dot < 0)
        {
            return IsTld(rest);
        }

        ReadOnlySpan<byte> country = rest[(dot + 1)..];
        return country.Length == 2 && IsLetters(country) && IsSecondLevel(rest[..dot]);
    }

    private static bool IsTld(ReadOnlySpan<byte> label)
    {
        if (label.StartsWith("xn--"u8))
        {
            return label.Length is > 4 and <= 63 && IsPunycodeBody(label[4..]);
        }

        return label.Length is >= 2 and <= 24 && IsLetters(label);
    }

    private static bool IsPunycodeBody(ReadOnlySpan<byte> body)
    {
        foreach (byte b in body)
        {
            if (b is not ((>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLetters(ReadOnlySpan<byte> label) => !label.IsEmpty && !label.ContainsAnyExceptInRange((byte)'a', (byte)'z');

    private static bool IsSecondLevel(ReadOnlySpan<byte> label) =>
        label.SequenceEqual("co"u8) || label.SequenceEqual("com"u8) || label.SequenceEqual("net"u8)
        || label.SequenceEqual("org"u8) || label.SequenceEqual("or"u8) || label.SequenceEqual("ne"u8)
        || label.SequenceEqual("ac"u8) || label.SequenceEqual("go"u8) || label.SequenceEqual("gob"u8)
        || label.SequenceEqual("gov"u8) || label.SequenceEqual("edu"u8);
}
