namespace Analyzer.Core.Datasets;

/// <summary>
/// Resizing and cropping of decoded 8-bit images (interleaved height x width x channels), as Pillow's bilinear
/// resize does it (the filter torchvision's evaluation transforms use): a separable triangle filter whose support
/// widens with the reduction, so shrinking averages every covered pixel; horizontal pass first, rounded to 8 bits
/// between the passes.
/// </summary>
public static class ImageResampling
{
    /// <summary>The image resized to <paramref name="outWidth"/> x <paramref name="outHeight"/>.</summary>
    public static byte[] Resize(byte[] pixels, int width, int height, int channels, int outWidth, int outHeight)
    {
        if (pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"{pixels.Length} bytes for {width}x{height}x{channels}", nameof(pixels));
        var wide = outWidth == width ? pixels : Pass(pixels, width, height, channels, outWidth, horizontal: true);
        return outHeight == height ? wide : Pass(wide, outWidth, height, channels, outHeight, horizontal: false);
    }

    /// <summary>Rows [top, top + cropHeight) and columns [left, left + cropWidth) of the image.</summary>
    public static byte[] Crop(byte[] pixels, int width, int height, int channels, int left, int top, int cropWidth, int cropHeight)
    {
        if (left < 0 || top < 0 || left + cropWidth > width || top + cropHeight > height)
            throw new ArgumentException($"crop {cropWidth}x{cropHeight} at ({left}, {top}) lies outside {width}x{height}");
        var result = new byte[(long)cropWidth * cropHeight * channels];
        for (int y = 0; y < cropHeight; y++)
            Array.Copy(pixels, ((long)(top + y) * width + left) * channels, result, (long)y * cropWidth * channels, cropWidth * channels);
        return result;
    }

    /// <summary>
    /// torchvision's Resize(shorter) then CenterCrop(crop): the shorter side becomes <paramref name="shorter"/> (the
    /// longer one in proportion, truncated), then the centre crop, offsets rounded half to even as Python rounds.
    /// </summary>
    public static byte[] ResizeShorterThenCrop(byte[] pixels, int width, int height, int channels, int shorter, int crop)
    {
        var (w, h) = width <= height ? (shorter, (int)((long)shorter * height / width)) : ((int)((long)shorter * width / height), shorter);
        var resized = Resize(pixels, width, height, channels, w, h);
        if (w < crop || h < crop)
            throw new ArgumentException($"a {w}x{h} image is smaller than the {crop}x{crop} crop");
        int top = (int)Math.Round((h - crop) / 2.0, MidpointRounding.ToEven), left = (int)Math.Round((w - crop) / 2.0, MidpointRounding.ToEven);
        return Crop(resized, w, h, channels, left, top, crop, crop);
    }

    /// <summary>Scaled (in proportion) to cover <paramref name="outWidth"/> x <paramref name="outHeight"/>, then centre-cropped to it.</summary>
    public static byte[] Cover(byte[] pixels, int width, int height, int channels, int outWidth, int outHeight)
    {
        if (width == outWidth && height == outHeight) return pixels;
        double scale = Math.Max(outWidth / (double)width, outHeight / (double)height);
        int w = Math.Max(outWidth, (int)Math.Round(width * scale)), h = Math.Max(outHeight, (int)Math.Round(height * scale));
        var resized = Resize(pixels, width, height, channels, w, h);
        return Crop(resized, w, h, channels, (w - outWidth) / 2, (h - outHeight) / 2, outWidth, outHeight);
    }

    /// <summary>One separable pass along rows (horizontal) or columns, to <paramref name="outSize"/> samples.</summary>
    private static byte[] Pass(byte[] pixels, int width, int height, int channels, int outSize, bool horizontal)
    {
        int inSize = horizontal ? width : height;
        var (starts, weights, taps) = Weights(inSize, outSize);
        int outWidth = horizontal ? outSize : width, outHeight = horizontal ? height : outSize;
        var result = new byte[(long)outWidth * outHeight * channels];
        for (int y = 0; y < outHeight; y++)
        {
            for (int x = 0; x < outWidth; x++)
            {
                int o = horizontal ? x : y;
                for (int c = 0; c < channels; c++)
                {
                    double sum = 0;
                    for (int t = 0; t < taps; t++)
                    {
                        double w = weights[o * taps + t];
                        if (w == 0) continue;
                        int i = starts[o] + t;
                        long source = horizontal ? ((long)y * width + i) * channels + c : ((long)i * width + x) * channels + c;
                        sum += w * pixels[source];
                    }
                    result[((long)y * outWidth + x) * channels + c] = (byte)Math.Clamp(Math.Round(sum, MidpointRounding.AwayFromZero), 0, 255);
                }
            }
        }
        return result;
    }

    /// <summary>Pillow's bilinear coefficients: output sample o centred at (o + 0.5)·scale in input coordinates, a
    /// triangle of half-width max(scale, 1), normalised to sum 1.</summary>
    private static (int[] Starts, double[] Weights, int Taps) Weights(int inSize, int outSize)
    {
        double scale = inSize / (double)outSize, filterScale = Math.Max(scale, 1), support = filterScale;
        int taps = (int)Math.Ceiling(support) * 2 + 1;
        var starts = new int[outSize];
        var weights = new double[outSize * taps];
        for (int o = 0; o < outSize; o++)
        {
            double centre = (o + 0.5) * scale;
            int min = Math.Max((int)(centre - support + 0.5), 0);
            int max = Math.Min((int)(centre + support + 0.5), inSize);
            starts[o] = min;
            double total = 0;
            for (int t = 0; t < max - min && t < taps; t++)
            {
                double x = Math.Abs((min + t - centre + 0.5) / filterScale);
                double w = x < 1 ? 1 - x : 0;
                weights[o * taps + t] = w;
                total += w;
            }
            if (total > 0)
                for (int t = 0; t < taps; t++) weights[o * taps + t] /= total;
        }
        return (starts, weights, taps);
    }
}
