using Analyzer.Reporting.Images;
using Analyzer.TestSupport;
using SkiaSharp;

namespace Analyzer.Reporting.Tests.Images;

public class GridThumbnailTests
{
    private static PixelImage Random(Random rng, int channels, int height, int width) =>
        new(Enumerable.Range(0, channels * height * width).Select(_ => (float)rng.NextDouble()).ToArray(), channels, height, width);

    [Theory]
    [InlineData(1, 28, 28)] // enlarged 3 times
    [InlineData(3, 32, 32)] // 3 times, colour
    [InlineData(1, 10, 7)]  // 9 times, not square
    [InlineData(1, 100, 100)] // not enlarged
    public void The_first_row_comes_back_pixel_for_pixel_at_the_images_own_size(int channels, int height, int width)
    {
        var rng = new Random(height * 31 + channels);
        var images = Enumerable.Range(0, 12).Select(_ => Random(rng, channels, height, width)).ToList();
        string path = Path.Combine(TempDirectory.Create(), "grid.png");
        PngFiles.WriteGrid(path, images);
        var thumbnail = GridThumbnail.Of(File.ReadAllBytes(path));
        Assert.NotNull(thumbnail);
        Assert.Equal("image/webp", thumbnail.Mime);
        using var bitmap = SKBitmap.Decode(thumbnail.Bytes);
        int cell = Math.Max(height, width) + 4;
        Assert.Equal((5 * cell + 2, cell + 2), (bitmap.Width, bitmap.Height));
        for (int i = 0; i < 5; i++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    var (r, g, b) = images[i].Rgb(y, x);
                    var pixel = bitmap.GetPixel(2 + i * cell + 1 + x, 2 + 1 + y);
                    Assert.Equal((r, g, b), (pixel.Red, pixel.Green, pixel.Blue));
                }
        Assert.Equal(new SKColor(230, 120, 20), bitmap.GetPixel(2, 2)); // the subcluster's frame
    }

    [Fact]
    public void Bytes_that_are_not_a_grid_give_none()
    {
        Assert.Null(GridThumbnail.Of([1, 2, 3]));
        using var plain = new SKBitmap(40, 30);
        using var data = SKImage.FromBitmap(plain).Encode(SKEncodedImageFormat.Png, 100);
        Assert.Null(GridThumbnail.Of(data.ToArray()));
    }
}
