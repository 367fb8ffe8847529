using System.Buffers;

namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// A 2-D convolution (stride 1, no dilation, one group) of sparse feature maps: Y = b + conv(φ(X), K), φ the identity or
/// max(·, 0), on maps held pixel-major ([height][width][channels], a pixel's channels contiguous). Each output pixel is
/// a dense layer over its receptive field's features (tap, channel), and only the nonzero ones are multiplied: after a
/// ReLU and a max-pool a trained CNN's maps are a sixth to a quarter nonzero. Maps come in blocks of <c>stride</c>,
/// map e of every block being the same example under another lesion, so four such maps go through the kernel together
/// over the union of their nonzero features at each pixel (<see cref="SparsePanels"/>). Every entry is the chain of
/// fused multiply-adds from b over its own nonzero features in (tap, channel) order, as in
/// <see cref="SparseConvLayerReference"/>'s plain loops (kernel values finite).
/// </summary>
public sealed class SparseConvLayer
{
    private const int Group = SparsePanels.Group;
    private readonly float[] kernel;
    private readonly float[] bias;
    private readonly SparsePanels panels;

    /// <param name="kernel">K [outputs][channels][kernelHeight][kernelWidth] (ONNX's layout), finite.</param>
    /// <param name="bias">b [outputs].</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="pads">Zero padding: top, left, bottom, right.</param>
    public SparseConvLayer(float[] kernel, float[] bias, int channels, int outputs, int kernelHeight, int kernelWidth,
        int height, int width, (int Top, int Left, int Bottom, int Right) pads)
    {
        if (kernel.LongLength != (long)outputs * channels * kernelHeight * kernelWidth)
            throw new ArgumentException($"kernel holds {kernel.LongLength} values; {outputs} x {channels} x {kernelHeight} x {kernelWidth} needed", nameof(kernel));
        if (bias.Length != outputs) throw new ArgumentException($"bias holds {bias.Length} values; {outputs} needed", nameof(bias));
        if (!kernel.All(float.IsFinite)) throw new ArgumentException("kernel must be finite (0·w must be 0)", nameof(kernel));
        (this.kernel, this.bias) = (kernel, bias);
        (Channels, Outputs, KernelHeight, KernelWidth, Height, Width, Pads) = (channels, outputs, kernelHeight, kernelWidth, height, width, pads);
        OutHeight = height + pads.Top + pads.Bottom - kernelHeight + 1;
        OutWidth = width + pads.Left + pads.Right - kernelWidth + 1;
        if (OutHeight < 1 || OutWidth < 1) throw new ArgumentException($"a {kernelHeight} x {kernelWidth} kernel does not fit {height} x {width} padded");
        // W [(tap, channel) x output]: the receptive field's features in the order the union appends them.
        int taps = kernelHeight * kernelWidth;
        var w = new float[(long)taps * channels * outputs];
        for (int o = 0; o < outputs; o++)
            for (int c = 0; c < channels; c++)
                for (int t = 0; t < taps; t++)
                    w[((long)t * channels + c) * outputs + o] = kernel[((long)o * channels + c) * taps + t];
        panels = new SparsePanels(w, bias, taps * channels, outputs);
    }

    public int Channels { get; }
    public int Outputs { get; }
    public int KernelHeight { get; }
    public int KernelWidth { get; }
    public int Height { get; }
    public int Width { get; }
    public (int Top, int Left, int Bottom, int Right) Pads { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }

    /// <summary>Values of one input map and of one output map.</summary>
    public int InputSize => Height * Width * Channels;

    public int OutputSize => OutHeight * OutWidth * Outputs;

    /// <summary>The bytes this layer holds (its kernel twice: as given and in panels).</summary>
    public long Bytes => sizeof(float) * (kernel.LongLength + bias.Length) + panels.Bytes;

    /// <param name="x">Input maps [maps][height][width][channels].</param>
    /// <param name="rectified">Whether the inputs pass through max(·, 0) first.</param>
    /// <param name="into">Output maps [maps][outHeight][outWidth][outputs].</param>
    /// <param name="stride">Maps per block (maps a multiple of it): map e of each block is the same example; maps itself
    /// when no two maps are.</param>
    public void Apply(ReadOnlySpan<float> x, int maps, bool rectified, Span<float> into, int stride)
    {
        if (x.Length < (long)maps * InputSize) throw new ArgumentException($"x holds {x.Length} values; {maps} maps of {InputSize} needed", nameof(x));
        if (into.Length < (long)maps * OutputSize) throw new ArgumentException($"into holds {into.Length} values; {maps} maps of {OutputSize} needed", nameof(into));
        if (stride < 1 || maps % stride != 0) throw new ArgumentException($"{maps} maps are not blocks of {stride}", nameof(stride));
        if (!SparsePanels.Supported || maps == 0)
        {
            SparseConvLayerReference.Apply(x, maps, Height, Width, Channels, kernel, bias, Outputs, KernelHeight, KernelWidth,
                (Pads.Top, Pads.Left), OutHeight, OutWidth, rectified, into);
            return;
        }
        int room = KernelHeight * KernelWidth * Channels + SparsePanels.Lanes;
        var kept = ArrayPool<int>.Shared.Rent(room);
        var values = ArrayPool<float>.Shared.Rent(Group * room);
        try
        {
            int blocks = maps / stride;
            Span<int> members = stackalloc int[Group];
            for (int e = 0; e < stride; e++)
                for (int j = 0; j < blocks; j += Group)
                {
                    for (int i = 0; i < Group; i++) members[i] = j + i < blocks ? (j + i) * stride + e : -1;
                    Convolve(x, members, rectified, into, kept, values, room);
                }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(kept);
            ArrayPool<float>.Shared.Return(values);
        }
    }

    /// <summary>The AVX-512 path for up to four maps of one example: pixel by pixel, the union of their receptive
    /// fields' nonzero features, then every panel over it.</summary>
    private void Convolve(ReadOnlySpan<float> x, ReadOnlySpan<int> members, bool rectified, Span<float> into, int[] kept, float[] values, int room)
    {
        Span<long> starts = stackalloc long[Group];
        Span<float> sums = stackalloc float[Group * 4 * SparsePanels.Lanes];
        for (int oy = 0; oy < OutHeight; oy++)
            for (int ox = 0; ox < OutWidth; ox++)
            {
                int count = 0;
                for (int ky = 0; ky < KernelHeight; ky++)
                {
                    int iy = oy - Pads.Top + ky;
                    if ((uint)iy >= (uint)Height) continue;
                    for (int kx = 0; kx < KernelWidth; kx++)
                    {
                        int ix = ox - Pads.Left + kx;
                        if ((uint)ix >= (uint)Width) continue;
                        for (int i = 0; i < Group; i++)
                            starts[i] = members[i] >= 0 ? (long)members[i] * InputSize + ((long)iy * Width + ix) * Channels : -1;
                        count = SparsePanels.Append(x, starts, Channels, (ky * KernelWidth + kx) * Channels, rectified, kept, values, room, count);
                    }
                }
                long pixel = (long)oy * OutWidth + ox;
                for (int p = 0; p < panels.Count; p++)
                {
                    int from = p * panels.Width, outputs = Math.Min(panels.Width, Outputs - from);
                    panels.Multiply(p, kept, values, room, count, sums);
                    for (int i = 0; i < Group && members[i] >= 0; i++)
                        sums.Slice(i * 4 * SparsePanels.Lanes, outputs).CopyTo(into.Slice((int)((long)members[i] * OutputSize + pixel * Outputs + from), outputs));
                }
            }
    }
}
