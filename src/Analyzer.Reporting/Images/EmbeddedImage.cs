using SkiaSharp;

namespace Analyzer.Reporting.Images;

/// <summary>An image as the report embeds it: encoded bytes, their MIME type and the pixel size.</summary>
public sealed record EmbeddedImage(byte[] Bytes, string Mime, int Width, int Height)
{
    /// <summary>A PNG re-encoded as WebP when that is smaller: lossless (the same pixels, typically half the bytes for
    /// plots), or with <paramref name="lossy"/> at quality 90 (for smooth heat maps, where a quarter of the bytes
    /// looks the same); the PNG itself otherwise.</summary>
    public static EmbeddedImage Compact(byte[] png, bool lossy = false)
    {
        using var bitmap = SKBitmap.Decode(png);
        if (bitmap is null) return new EmbeddedImage(png, "image/png", 0, 0);
        var webp = lossy ? Webp(bitmap, SKWebpEncoderCompression.Lossy, 90) : LosslessWebp(bitmap);
        return webp.Bytes.Length < png.Length ? webp : new EmbeddedImage(png, "image/png", bitmap.Width, bitmap.Height);
    }

    public static EmbeddedImage LosslessWebp(SKBitmap bitmap) => Webp(bitmap, SKWebpEncoderCompression.Lossless, 100);

    private static EmbeddedImage Webp(SKBitmap bitmap, SKWebpEncoderCompression compression, float quality)
    {
        using var pixmap = bitmap.PeekPixels();
        using var data = pixmap.Encode(new SKWebpEncoderOptions(compression, quality))
            ?? throw new InvalidOperationException("SkiaSharp could not encode a WebP image");
        return new EmbeddedImage(data.ToArray(), "image/webp", bitmap.Width, bitmap.Height);
    }

    public string DataUri => $"data:{Mime};base64,{Convert.ToBase64String(Bytes)}";
}
