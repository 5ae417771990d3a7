using System.Text;

namespace FastIngest.Core.Parsing.Formats;

/// <summary>
/// Turns the text of an NGINX <c>log_format</c>, written as in <c>nginx.conf</c>, into a <see cref="LogFormat"/>:
/// an optional <c>escape=default|json|none</c>, then one or more quoted (or bare) pieces that NGINX joins
/// into one template of literals and <c>$name</c> / <c>${name}</c> variables. Runs once at start; a format
/// the matcher could not read unambiguously is refused with a message naming the format and the problem.
/// </summary>
/// <remarks>
/// Forgiving about what surrounds the template, since operators paste it from their config: a leading
/// <c>log_format &lt;name&gt;</c> and a trailing <c>;</c> are dropped. Quoted pieces take the escapes
/// NGINX's config reader takes (<c>\" \' \\ \t \r \n</c>); any other backslash stays as written.
/// </remarks>
internal static class LogFormatCompiler
{
    /// <summary>Longer format text is refused: no real log_format comes near it, and the matcher's steps stay few.</summary>
    public const int MaxTextLength = 8192;

    /// <summary>Compiles <paramref name="text"/>, or says why it can't (the message names <paramref name="name"/>).</summary>
    public static bool TryCompile(string name, string? text, out LogFormat? format, out string? problem)
    {
        format = null;
        problem = Check(text, out LogFormatEscape escape, out string template);
        if (problem is null)
        {
            problem = TrySplit(template, out byte[] prefix, out List<LogFormatStep> steps);
            if (problem is null)
            {
                problem = Validate(steps);
                if (problem is null)
                {
                    format = new LogFormat(name, escape, prefix, [.. steps]);
                    return true;
                }
            }
        }

        problem = $"log format '{name}': {problem}";
        return false;
    }

    /// <summary>Compiles <paramref name="text"/>; throws <see cref="ArgumentException"/> with the problem when it can't.</summary>
    public static LogFormat Compile(string name, string text) =>
        TryCompile(name, text, out LogFormat? format, out string? problem) ? format! : throw new ArgumentException(problem, nameof(text));

    private static string? Check(string? text, out LogFormatEscape escape, out string template)
    {
        escape = LogFormatEscape.Default;
        template = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return "the text is empty; give the log_format's quoted pieces as in nginx.conf";
        }

        if (text.Length > MaxTextLength)
        {
            return $"the text is {text.Length} characters, more than {MaxTextLength}";
        }

        List<string>? pieces = Tokens(text.Trim().TrimEnd(';'), out string? problem);
        if (pieces is null)
        {
            return problem;
        }

        int first = 0;
        if (pieces.Count >= 2 && pieces[0] == "log_format" && !pieces[1].Contains('$', StringComparison.Ordinal))
        {
            // Pasted with its directive: "log_format main '...'".
            first = 2;
        }

        if (first < pieces.Count && pieces[first].StartsWith("escape=", StringComparison.Ordinal))
        {
            switch (pieces[first]["escape=".Length..])
            {
                case "default": escape = LogFormatEscape.Default; break;
                case "json": escape = LogFormatEscape.Json; break;
                case "none": escape = LogFormatEscape.None; break;
                default: return $"'{pieces[first]}' is not one of escape=default, escape=json, escape=none";
            }

            first++;
        }

        if (first >= pieces.Count)
        {
            return "it has no text after its parameters";
        }

        template = string.Concat(pieces.Skip(first));
        return null;
    }

    /// <summary>nginx.conf's tokens: quoted strings (escapes resolved) and bare words, split on whitespace.</summary>
    private static List<string>? Tokens(string text, out string? problem)
    {
        var tokens = new List<string>();
        var token = new StringBuilder();
        int i = 0;
        problem = null;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            token.Clear();
            if (c is '\'' or '"')
            {
                int end = i + 1;
                while (end < text.Length && text[end] != c)
                {
                    if (text[end] == '\\' && end + 1 < text.Length)
                    {
                        char next = text[end + 1];
                        token.Append(next switch { 't' => '\t', 'r' => '\r', 'n' => '\n', '"' or '\'' or '\\' => next, _ => '\0' });
                        if (token[^1] == '\0')
                        {
                            token[^1] = '\\';
                            token.Append(next);
                        }

                        end += 2;
                        continue;
                    }

                    token.Append(text[end++]);
                }

                if (end >= text.Length)
                {
                    problem = $"the quote {c} at character {i + 1} is never closed";
                    return null;
                }

                if (end + 1 < text.Length && !char.IsWhiteSpace(text[end + 1]))
                {
                    // NGINX refuses this too ("unexpected ..."): pieces are separated by whitespace.
                    problem = $"the quoted piece ending at character {end + 1} is followed by '{text[end + 1]}' without a space";
                    return null;
                }

                i = end + 1;
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    if (text[i] is '\'' or '"')
                    {
                        problem = $"a quote at character {i + 1} starts inside a bare word";
                        return null;
                    }

                    token.Append(text[i++]);
                }
            }

            tokens.Add(token.ToString());
        }

        return tokens;
    }

    /// <summary>Splits the joined template into its leading literal and (variable, following literal) steps.</summary>
    private static string? TrySplit(string template, out byte[] prefix, out List<LogFormatStep> steps)
    {
        steps = [];
        prefix = [];
        var literal = new StringBuilder();
        string? variable = null;
        int i = 0;
        while (i < template.Length)
        {
            if (template[i] != '$')
            {
                literal.Append(template[i++]);
                continue;
            }

            int nameStart = i + 1;
            int nameEnd;
            int next;
            if (nameStart < template.Length && template[nameStart] == '{')
            {
                nameStart++;
                nameEnd = template.IndexOf('}', nameStart);
                if (nameEnd < 0)
                {
                    return $"'${{' at character {i + 1} has no closing '}}'";
                }

                next = nameEnd + 1;
            }
            else
            {
                nameEnd = nameStart;
                while (nameEnd < template.Length && IsNameChar(template[nameEnd]))
                {
                    nameEnd++;
                }

                next = nameEnd;
            }

            string name = template[nameStart..nameEnd];
            if (name.Length == 0 || !name.All(IsNameChar))
            {
                return $"'$' at character {i + 1} is not followed by a variable name";
            }

            Close(literal, variable, ref prefix, steps);
            variable = name;
            i = next;
        }

        if (variable is null)
        {
            return "it has no variables, so no line can say anything";
        }

        Close(literal, variable, ref prefix, steps);
        return null;
    }

    /// <summary>Ends the literal gathered so far: the prefix before the first variable, else the text after <paramref name="variable"/>.</summary>
    private static void Close(StringBuilder literal, string? variable, ref byte[] prefix, List<LogFormatStep> steps)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(literal.ToString());
        literal.Clear();
        if (variable is null)
        {
            prefix = bytes;
        }
        else
        {
            steps.Add(new LogFormatStep(Known(variable), variable, bytes));
        }
    }

    private static string? Validate(List<LogFormatStep> steps)
    {
        bool time = false, status = false;
        for (int i = 0; i < steps.Count; i++)
        {
            LogFormatStep step = steps[i];
            time |= step.Variable is LogFormatVariable.TimeLocal or LogFormatVariable.TimeIso8601 or LogFormatVariable.Msec;
            status |= step.Variable == LogFormatVariable.Status;
            if (i < steps.Count - 1 && step.Literal.Length == 0 && step.FixedLength == 0)
            {
                return $"${step.Name} and ${steps[i + 1].Name} have no text between them, so where one ends and the next begins cannot be told; put a space or other text between them";
            }
        }

        if (!time)
        {
            return "it has no time; add $time_local, $time_iso8601 or $msec";
        }

        return status ? null : "it has no $status";
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>The record field a variable fills; NGINX names are case-sensitive and lower case.</summary>
    private static LogFormatVariable Known(string name) => name switch
    {
        "remote_addr" => LogFormatVariable.RemoteAddr,
        "time_local" => LogFormatVariable.TimeLocal,
        "time_iso8601" => LogFormatVariable.TimeIso8601,
        "msec" => LogFormatVariable.Msec,
        "request" => LogFormatVariable.Request,
        "request_method" => LogFormatVariable.RequestMethod,
        "request_uri" => LogFormatVariable.RequestUri,
        "uri" or "document_uri" => LogFormatVariable.Uri,
        "status" => LogFormatVariable.Status,
        "body_bytes_sent" => LogFormatVariable.BodyBytesSent,
        "bytes_sent" => LogFormatVariable.BytesSent,
        "request_time" => LogFormatVariable.RequestTime,
        "http_referer" => LogFormatVariable.HttpReferer,
        "http_user_agent" => LogFormatVariable.HttpUserAgent,
        "http_host" => LogFormatVariable.HttpHost,
        "host" => LogFormatVariable.Host,
        "server_name" => LogFormatVariable.ServerName,
        "upstream_cache_status" => LogFormatVariable.UpstreamCacheStatus,
        "http_dnt" => LogFormatVariable.HttpDnt,
        "http_sec_gpc" => LogFormatVariable.HttpSecGpc,
        _ => LogFormatVariable.Unknown,
    };
}
