using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// The receptive fields of a 2-D conv over some of its input channels, as the rows of a dense layer: row p (output pixel
/// p, row-major) holds, for each kernel tap t and each channel units[q], the input value under that tap at feature
/// t·|units| + q (0 where the tap falls in the padding). A lesion of those channels subtracts these rows times the
/// conv's kernel restricted to them (<see cref="RankUpdate.SubtractFields"/>), read straight from the input map without
/// writing the rows out.
/// </summary>
/// <param name="input">One example's input [channels][height][width].</param>
/// <param name="units">The channels, in the order of their features.</param>
/// <param name="pads">Zero padding: top and left.</param>
public readonly ref struct ReceptiveFields(ReadOnlySpan<float> input, int height, int width, ReadOnlySpan<int> units, int kernelHeight,
    int kernelWidth, (int Top, int Left) pads, (int Height, int Width) strides, (int Height, int Width) dilations, int outHeight, int outWidth)
    : IRankUpdateRows
{
    private readonly ReadOnlySpan<float> input = input;
    private readonly ReadOnlySpan<int> units = units;

    public int Rows => outHeight * outWidth;

    public int Features => kernelHeight * kernelWidth * units.Length;

    /// <summary>−(row first + i, feature f) at scaled[f·stride + i] for i below count (feature-major, as the rank
    /// update's tiles broadcast them).</summary>
    public void Negated(int first, int count, Span<float> scaled, int stride)
    {
        int r = units.Length, plane = height * width;
        Span<int> planes = stackalloc int[r];
        for (int q = 0; q < r; q++)
        {
            if ((long)(units[q] + 1) * plane > input.Length || units[q] < 0)
                throw new ArgumentOutOfRangeException(nameof(units), $"channel {units[q]} is outside the input");
            planes[q] = units[q] * plane;
        }
        ref float source = ref MemoryMarshal.GetReference(input);
        ref float into = ref MemoryMarshal.GetReference(scaled);
        if (scaled.Length < (kernelHeight * kernelWidth * r - 1) * stride + count) throw new ArgumentException("scaled is too short", nameof(scaled));
        for (int i = 0; i < count; i++)
        {
            int p = first + i, oy = p / outWidth, ox = p % outWidth;
            for (int ky = 0; ky < kernelHeight; ky++)
            {
                int iy = oy * strides.Height + ky * dilations.Height - pads.Top;
                for (int kx = 0; kx < kernelWidth; kx++)
                {
                    int ix = ox * strides.Width + kx * dilations.Width - pads.Left, at = (ky * kernelWidth + kx) * r * stride + i;
                    if ((uint)iy >= (uint)height || (uint)ix >= (uint)width)
                    {
                        for (int q = 0; q < r; q++) Unsafe.Add(ref into, at + q * stride) = 0;
                        continue;
                    }
                    int offset = iy * width + ix;
                    for (int q = 0; q < r; q++) Unsafe.Add(ref into, at + q * stride) = -Unsafe.Add(ref source, planes[q] + offset);
                }
            }
        }
    }

    /// <summary>The rows [rows x features], written out (the plain-loop path).</summary>
    public void Fill(Span<float> rows)
    {
        int features = Features;
        Span<float> column = stackalloc float[features];
        for (int p = 0; p < Rows; p++)
        {
            Negated(p, 1, column, 1);
            for (int f = 0; f < features; f++) rows[p * features + f] = -column[f];
        }
    }
}
