namespace FastIngest.Server.Pixel;

/// <summary>The methods the pixel door tells apart.</summary>
internal enum PixelMethod
{
    Other,
    Get,
    Head,
}
