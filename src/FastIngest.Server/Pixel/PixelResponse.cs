namespace FastIngest.Server.Pixel;

/// <summary>The answers of the pixel door, each a precomputed buffer in <see cref="PixelResponses"/>.</summary>
internal enum PixelResponse
{
    Gif,
    Robots,
    NotFound,
    MethodNotAllowed,
    BadRequest,
    HeadTooLarge,
}
