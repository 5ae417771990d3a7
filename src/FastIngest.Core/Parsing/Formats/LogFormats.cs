namespace FastIngest.Core.Parsing.Formats;

/// <summary>
/// The operator's compiled <c>log_format</c>s, by index: sources stamp a message with its format's index
/// (one byte in the ingest entry) and the shard's <see cref="MessageDecoder"/> reads it with that format.
/// Built once at start from configuration only (senders can name no format), at most <see cref="MaxCount"/>.
/// Immutable, shared by every shard.
/// </summary>
internal sealed class LogFormats
{
    /// <summary>More formats are refused at start: an index fits a byte with room, and no site runs more.</summary>
    public const int MaxCount = 64;

    private readonly LogFormat[] _formats;

    public LogFormats(IReadOnlyList<LogFormat> formats)
    {
        if (formats.Count > MaxCount)
        {
            throw new ArgumentException($"{formats.Count} log formats configured, more than {MaxCount}", nameof(formats));
        }

        _formats = [.. formats];
    }

    /// <summary>No custom formats: every <see cref="MessageKind.CustomLog"/> message is refused.</summary>
    public static LogFormats None { get; } = new([]);

    public int Count => _formats.Length;

    /// <summary>The format at <paramref name="index"/>, or null when there is none (a message no source should have made).</summary>
    public LogFormat? this[byte index] => index < _formats.Length ? _formats[index] : null;

    /// <summary>The index of the format named <paramref name="name"/> (ignoring case, as configuration keys do).</summary>
    public bool TryIndexOf(string name, out byte index)
    {
        for (int i = 0; i < _formats.Length; i++)
        {
            if (string.Equals(_formats[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                index = (byte)i;
                return true;
            }
        }

        index = 0;
        return false;
    }
}
