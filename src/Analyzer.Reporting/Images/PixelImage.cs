namespace Analyzer.Reporting.Images;

/// <summary>
/// An image in the model's pixel domain: [channels, height, width] values in [0, 1] standing for pixel / 255.
/// <see cref="Bgr"/> says the channels are in blue-green-red order (they are written to files as RGB).
/// </summary>
public sealed record PixelImage(float[] Values, int Channels, int Height, int Width, bool Bgr = false)
{
    /// <summary>The 8-bit value of channel c at (y, x): round(255 · v), clamped.</summary>
    public byte Byte(int c, int y, int x) =>
        (byte)Math.Clamp(MathF.Round(255 * Values[(c * Height + y) * Width + x]), 0, 255);

    /// <summary>The colour at (y, x): grey for one channel, RGB for three; other channel counts show channel 0.</summary>
    public (byte R, byte G, byte B) Rgb(int y, int x)
    {
        if (Channels == 3)
        {
            byte first = Byte(0, y, x), second = Byte(1, y, x), third = Byte(2, y, x);
            return Bgr ? (third, second, first) : (first, second, third);
        }
        byte grey = Byte(0, y, x);
        return (grey, grey, grey);
    }
}
