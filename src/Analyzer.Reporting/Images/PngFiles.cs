using Analyzer.Core.Files;
using SkiaSharp;

namespace Analyzer.Reporting.Images;

/// <summary>
/// Writes feature visualisations as PNG: one image at its own size in the model's pixel domain (so that re-running
/// the model on the file reproduces the score up to 8-bit rounding), or a grid of images enlarged for viewing with
/// the first one framed (a true subcluster beside its random controls, like the paper's Figure 6).
/// </summary>
public static class PngFiles
{
    /// <summary>The grid's geometry: images per row, the first image's frame and the white gap around each cell.</summary>
    public const int GridColumns = 5, GridFrame = 3, GridGap = 6;

    /// <summary>Writes <paramref name="image"/> pixel for pixel: 8-bit grey for one channel, else 8-bit RGB.</summary>
    public static void Write(string path, PixelImage image)
    {
        using var bitmap = image.Channels == 1
            ? new SKBitmap(image.Width, image.Height, SKColorType.Gray8, SKAlphaType.Opaque)
            : new SKBitmap(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = bitmap.GetPixelSpan();
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                if (image.Channels == 1)
                {
                    pixels[y * bitmap.RowBytes + x] = image.Byte(0, y, x);
                    continue;
                }
                var (r, g, b) = image.Rgb(y, x);
                int at = y * bitmap.RowBytes + 4 * x;
                pixels[at] = r;
                pixels[at + 1] = g;
                pixels[at + 2] = b;
                pixels[at + 3] = 255;
            }
        Save(path, bitmap);
    }

    /// <summary>
    /// Writes the images in a grid of <paramref name="columns"/> columns, each enlarged <paramref name="zoom"/> times
    /// (nearest neighbour) on a white background, the first framed in orange.
    /// </summary>
    public static void WriteGrid(string path, IReadOnlyList<PixelImage> images, int columns = GridColumns, int zoom = 0)
    {
        if (images.Count == 0) throw new ArgumentException("no images to write", nameof(images));
        int h = images[0].Height, w = images[0].Width;
        if (zoom <= 0) zoom = Math.Max(1, 96 / Math.Max(h, w));
        const int frame = GridFrame, gap = GridGap;
        int cell = Math.Max(h, w) * zoom + 2 * frame + gap;
        int rows = (images.Count + columns - 1) / columns;
        using var bitmap = new SKBitmap(columns * cell + gap, rows * cell + gap, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = new byte[bitmap.RowBytes * bitmap.Height];
        Array.Fill(pixels, (byte)255);
        void Put(int px, int py, (byte R, byte G, byte B) colour)
        {
            int at = py * bitmap.RowBytes + 4 * px;
            pixels[at] = colour.R;
            pixels[at + 1] = colour.G;
            pixels[at + 2] = colour.B;
            pixels[at + 3] = 255;
        }
        for (int i = 0; i < images.Count; i++)
        {
            int left = gap + i % columns * cell, top = gap + i / columns * cell;
            if (i == 0)
                for (int y = 0; y < h * zoom + 2 * frame; y++)
                    for (int x = 0; x < w * zoom + 2 * frame; x++)
                        Put(left + x, top + y, (230, 120, 20));
            var image = images[i];
            for (int y = 0; y < h * zoom; y++)
                for (int x = 0; x < w * zoom; x++)
                    Put(left + frame + x, top + frame + y, image.Rgb(y / zoom, x / zoom));
        }
        pixels.CopyTo(bitmap.GetPixelSpan());
        Save(path, bitmap);
    }

    private static void Save(string path, SKBitmap bitmap)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, data.SaveTo);
    }

    /// <summary>Reads a PNG back as 8-bit RGB rows (for tests and for `visualize` checks).</summary>
    public static (byte[] Rgb, int Height, int Width) Read(string path)
    {
        using var bitmap = SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path}: not a readable PNG");
        var rgb = new byte[bitmap.Height * bitmap.Width * 3];
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                int at = 3 * (y * bitmap.Width + x);
                (rgb[at], rgb[at + 1], rgb[at + 2]) = (c.Red, c.Green, c.Blue);
            }
        return (rgb, bitmap.Height, bitmap.Width);
    }
}
