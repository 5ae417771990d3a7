namespace FastIngest.Core.Parsing.Syslog;

/// <summary>Walking header fields: tokens, RFC 5424 fields and STRUCTURED-DATA.</summary>
internal static partial class SyslogParser
{
    /// <summary>The bytes from <paramref name="start"/> to the next space or the end; empty past the end.</summary>
    private static ReadOnlySpan<byte> NextToken(ReadOnlySpan<byte> s, int start)
    {
        if ((uint)start >= (uint)s.Length)
        {
            return default;
        }

        ReadOnlySpan<byte> rest = s[start..];
        int space = rest.IndexOf(Space);
        return space < 0 ? rest : rest[..space];
    }

    /// <summary>Skips a non-empty RFC 5424 header field and the space after it; -1 when there is none.</summary>
    private static int SkipField(ReadOnlySpan<byte> s, int i)
    {
        int length = s[i..].IndexOf(Space);
        return length > 0 ? i + length + 1 : -1;
    }

    /// <summary>
    /// Skips STRUCTURED-DATA: <c>-</c> or <c>[id k="v" ...]</c> elements back to back. Returns the index
    /// after it, or -1 when it is malformed or cut short.
    /// </summary>
    private static int SkipStructuredData(ReadOnlySpan<byte> s, int i)
    {
        if (At(s, i, Dash))
        {
            return i + 1;
        }

        if (!At(s, i, OpenBracket))
        {
            return -1;
        }

        while (At(s, i, OpenBracket))
        {
            i++;
            if ((uint)i >= (uint)s.Length || s[i] is Space or CloseBracket or Quote or (byte)'=')
            {
                return -1; // an element needs an SD-ID
            }

            while (true)
            {
                int next = s[i..].IndexOfAny(Quote, CloseBracket);
                if (next < 0)
                {
                    return -1;
                }

                i += next + 1;
                if (s[i - 1] == CloseBracket)
                {
                    break;
                }

                // Inside a PARAM-VALUE only an unescaped quote ends it: \" \] \\ and spaces are content.
                while (true)
                {
                    int special = s[i..].IndexOfAny(Quote, Backslash);
                    if (special < 0)
                    {
                        return -1;
                    }

                    i += special;
                    if (s[i] == Quote)
                    {
                        i++;
                        break;
                    }

                    i += 2;
                    if (i > s.Length)
                    {
                        return -1;
                    }
                }
            }
        }

        return i;
    }
}
