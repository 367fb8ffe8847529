using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Analyzer.Kernels;

/// <summary>
/// Which vector instructions the kernels with an AVX-512 and an AVX2 path take (<see cref="LinearAlgebra.RankUpdate"/>,
/// <see cref="LinearAlgebra.SparseInputLayer"/>, <see cref="LinearAlgebra.SparseConvLayer"/>,
/// <see cref="LinearAlgebra.SingleProduct"/>). Both paths compute the same chains of fused multiply-adds, so the choice
/// changes the speed, never a bit of the results; the tests turn AVX-512 off to check the AVX2 paths on a machine that
/// has both.
/// </summary>
internal static class VectorPaths
{
    /// <summary>Use the AVX2 paths even where AVX-512 runs (tests).</summary>
    internal static bool Avx512Off { get; set; }

    public static bool Avx512 => !Avx512Off && Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    public static bool Avx2 => System.Runtime.Intrinsics.X86.Avx2.IsSupported && Fma.IsSupported;
}
