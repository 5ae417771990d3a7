namespace FastIngest.Core.Parsing.Referrers;

/// <summary>
/// A source's display name as text and as UTF-8, made once when the list loads so a lookup hands out
/// references and never allocates.
/// </summary>
internal sealed class ReferrerName
{
    /// <summary>No listed source.</summary>
    public static readonly ReferrerName None = new(string.Empty);

    public ReferrerName(string text)
    {
        Text = text;
        Utf8 = System.Text.Encoding.UTF8.GetBytes(text);
    }

    /// <summary>The name, e.g. <c>Google</c>.</summary>
    public string Text { get; }

    /// <summary>The same name as UTF-8 bytes, for a row writer.</summary>
    public byte[] Utf8 { get; }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
