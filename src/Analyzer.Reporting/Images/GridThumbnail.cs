using SkiaSharp;

namespace Analyzer.Reporting.Images;

/// <summary>
/// The first row of a grid that <see cref="PngFiles.WriteGrid"/> wrote (the framed subcluster and its first controls)
/// at the images' own size, as lossless WebP: what the report embeds, so that a page of many grids stays small. The
/// first image's frame gives the enlarged images' width and height; the enlargement is undone exactly, by the largest
/// factor for which every image of the row is made of uniform square blocks, so no pixel is lost (a browser scales the
/// thumbnail back up, pixelated).
/// </summary>
public static class GridThumbnail
{
    private const int Frame = 1, Gap = 2;

    /// <summary>Null when the bytes are not a grid of that geometry (the caller embeds the file as it is).</summary>
    public static EmbeddedImage? Of(byte[] gridPng)
    {
        using var codec = SKCodec.Create(new MemoryStream(gridPng));
        if (codec is null) return null;
        using var grid = SKBitmap.Decode(codec);
        if (grid is null) return null;
        int cell = (grid.Width - PngFiles.GridGap) / PngFiles.GridColumns;
        if (cell <= 2 * PngFiles.GridFrame + PngFiles.GridGap || grid.Width != PngFiles.GridColumns * cell + PngFiles.GridGap
            || grid.Height < cell + PngFiles.GridGap) return null;
        int Left(int column) => PngFiles.GridGap + column * cell + PngFiles.GridFrame;
        const int top = PngFiles.GridGap + PngFiles.GridFrame;
        var frame = grid.GetPixel(PngFiles.GridGap, PngFiles.GridGap);
        if (frame == SKColors.White) return null;
        int Run(int x, int y, int dx, int dy)
        {
            int n = 0;
            while (x < grid.Width && y < grid.Height && grid.GetPixel(x, y) == frame) { n++; x += dx; y += dy; }
            return n;
        }
        int width = Run(PngFiles.GridGap, PngFiles.GridGap, 1, 0) - 2 * PngFiles.GridFrame;
        int height = Run(PngFiles.GridGap, PngFiles.GridGap, 0, 1) - 2 * PngFiles.GridFrame;
        if (width <= 0 || height <= 0 || Math.Max(width, height) > cell - 2 * PngFiles.GridFrame - PngFiles.GridGap) return null;
        int zoom = Enumerable.Range(1, Math.Min(width, height)).Reverse()
            .First(z => width % z == 0 && height % z == 0 && Uniform(grid, z, width, height, Left, top));
        int w = width / zoom, h = height / zoom, outCell = Math.Max(w, h) + 2 * Frame + Gap;
        using var thumbnail = new SKBitmap(PngFiles.GridColumns * outCell + Gap, outCell + Gap, SKColorType.Rgba8888, SKAlphaType.Opaque);
        thumbnail.Erase(SKColors.White);
        for (int column = 0; column < PngFiles.GridColumns; column++)
        {
            int x0 = Gap + column * outCell, y0 = Gap;
            if (column == 0)
                for (int y = 0; y < h + 2 * Frame; y++)
                    for (int x = 0; x < w + 2 * Frame; x++)
                        thumbnail.SetPixel(x0 + x, y0 + y, frame);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    thumbnail.SetPixel(x0 + Frame + x, y0 + Frame + y, grid.GetPixel(Left(column) + x * zoom, top + y * zoom));
        }
        return EmbeddedImage.LosslessWebp(thumbnail);
    }

    /// <summary>Whether every z x z block of every image of the first row has one colour.</summary>
    private static bool Uniform(SKBitmap grid, int z, int width, int height, Func<int, int> left, int top)
    {
        if (z == 1) return true;
        for (int column = 0; column < PngFiles.GridColumns; column++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    if (grid.GetPixel(left(column) + x, top + y) != grid.GetPixel(left(column) + x / z * z, top + y / z * z))
                        return false;
        return true;
    }
}
