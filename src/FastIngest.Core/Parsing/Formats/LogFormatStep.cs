namespace FastIngest.Core.Parsing.Formats;

/// <summary>
/// One variable of a compiled <see cref="LogFormat"/> and the literal text NGINX writes after it: the
/// value ends where that literal begins (or, for the last variable with nothing after it, at the line's end).
/// </summary>
/// <param name="Variable">What the value becomes; <see cref="LogFormatVariable.Unknown"/> is stepped over.</param>
/// <param name="Name">The variable's name as written, without <c>$</c> (for messages and tests).</param>
/// <param name="Literal">The text after the value; empty only for the last step.</param>
internal readonly record struct LogFormatStep(LogFormatVariable Variable, string Name, byte[] Literal)
{
    /// <summary>
    /// The value's length when NGINX always writes it with that many bytes (<c>$time_local</c> 26,
    /// <c>$time_iso8601</c> 25); 0 otherwise. A fixed-width value is taken by length, so a literal that
    /// also occurs inside it (the space in <c>$time_local</c>) cannot cut it short.
    /// </summary>
    public int FixedLength => Variable switch
    {
        LogFormatVariable.TimeLocal => 26,
        LogFormatVariable.TimeIso8601 => 25,
        _ => 0,
    };
}
