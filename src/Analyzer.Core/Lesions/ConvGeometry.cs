using Analyzer.Onnx.Operators;

namespace Analyzer.Core.Lesions;

/// <summary>A 2-D conv's padding (top, left, bottom, right), strides and dilations, from its
/// <see cref="ConvKernel"/> attributes; null from <see cref="Of"/> when its padding is automatic.</summary>
internal sealed record ConvGeometry((int Top, int Left, int Bottom, int Right) Pads, (int Height, int Width) Strides,
    (int Height, int Width) Dilations)
{
    public static ConvGeometry? Of(ConvKernel kernel)
    {
        long[] pads = [0, 0, 0, 0], strides = [1, 1], dilations = [1, 1];
        foreach (var (name, ints, text) in kernel.Attributes)
            switch (name)
            {
                case "auto_pad" when text is not ("NOTSET" or "VALID"): return null;
                case "pads" when ints.Length == 4: pads = ints; break;
                case "strides" when ints.Length == 2: strides = ints; break;
                case "dilations" when ints.Length == 2: dilations = ints; break;
                case "pads" or "strides" or "dilations": return null;
            }
        if (strides.Any(s => s < 1) || dilations.Any(d => d < 1) || pads.Any(p => p < 0)) return null;
        return new(((int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3]), ((int)strides[0], (int)strides[1]), ((int)dilations[0], (int)dilations[1]));
    }

    /// <summary>Stride 1 and no dilation: what <see cref="Analyzer.Kernels.LinearAlgebra.SparseConvLayer"/> computes.</summary>
    public bool Unit => Strides == (1, 1) && Dilations == (1, 1);
}
