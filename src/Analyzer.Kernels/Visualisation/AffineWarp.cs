namespace Analyzer.Kernels.Visualisation;

/// <summary>
/// One image's random transform as the map from an output pixel back to the source position it samples:
/// with u = column - cx and v = row - cy (cx, cy the image centre),
/// source column = A·u + B·v + cx + Tx and source row = C·u + D·v + cy + Ty.
/// </summary>
public readonly record struct AffineWarp(float A, float B, float C, float D, float Tx, float Ty)
{
    public static readonly AffineWarp Identity = new(1, 0, 0, 1, 0, 0);

    /// <summary>
    /// The warp that scales the image by <paramref name="scale"/> and rotates it by <paramref name="angle"/> radians
    /// about its centre, then shifts it by (<paramref name="shiftX"/>, <paramref name="shiftY"/>) pixels.
    /// </summary>
    public static AffineWarp FromTransform(double scale, double angle, double shiftX, double shiftY)
    {
        double cos = Math.Cos(angle) / scale, sin = Math.Sin(angle) / scale;
        // source = R(-angle)·(output - centre - shift)/scale + centre
        return new AffineWarp((float)cos, (float)sin, (float)-sin, (float)cos,
            (float)-(cos * shiftX + sin * shiftY), (float)-(-sin * shiftX + cos * shiftY));
    }
}

/// <summary>The shape of a batch of images: [images, channels, height, width], row-major.</summary>
public readonly record struct ImageBatchShape(int Images, int Channels, int Height, int Width)
{
    public int PlaneSize => Height * Width;
    public int ImageSize => Channels * Height * Width;
    public int Length => Images * ImageSize;
}
