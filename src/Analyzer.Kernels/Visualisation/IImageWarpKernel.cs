namespace Analyzer.Kernels.Visualisation;

/// <summary>
/// Resamples a batch of images through one <see cref="AffineWarp"/> per image (bilinear, zero outside the image),
/// and applies the adjoint of that linear map to a gradient, so that feature visualisation can transform its images
/// every step and carry the input gradient back through the transform.
/// </summary>
public interface IImageWarpKernel
{
    /// <summary>target[n] = W_n(source[n]) for every image n.</summary>
    void Warp(ReadOnlySpan<float> source, Span<float> target, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps);

    /// <summary>result[n] = W_nᵀ(gradient[n]): the gradient with respect to the source, given the one of the target.</summary>
    void WarpAdjoint(ReadOnlySpan<float> gradient, Span<float> result, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps);
}
