namespace FastIngest.Server.Pixel;

/// <summary>What <see cref="PixelRequestParser.TryRead"/> made of the buffer's start.</summary>
internal enum PixelParseResult
{
    /// <summary>A whole request head was read.</summary>
    Complete,

    /// <summary>The head is not complete yet and still within the limit: read more.</summary>
    NeedMore,

    /// <summary>Not HTTP/1.x as the pixel reads it: 400, then close.</summary>
    BadRequest,

    /// <summary>The head is longer than allowed or has too many header lines: 431, then close.</summary>
    TooLarge,
}
