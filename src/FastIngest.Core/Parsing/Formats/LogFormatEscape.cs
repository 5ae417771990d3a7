namespace FastIngest.Core.Parsing.Formats;

/// <summary>How NGINX escaped the variables' values: the <c>escape=</c> parameter of <c>log_format</c>.</summary>
internal enum LogFormatEscape : byte
{
    /// <summary><c>"</c>, <c>\</c>, control and non-ASCII bytes as <c>\xXX</c> (NGINX's default).</summary>
    Default = 0,

    /// <summary>JSON string escapes: <c>\"</c>, <c>\\</c>, <c>\n</c>, <c>\u00XX</c>; other bytes as they are.</summary>
    Json,

    /// <summary>Nothing escaped: a value may hold the literal that ends it, and is then cut there.</summary>
    None,
}
