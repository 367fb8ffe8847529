using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Kernels.Spearman;

/// <summary>
/// Spearman on the CPU: ranks per unit in parallel (<see cref="RadixRanks"/>), each rank column centred and scaled to unit norm, then every
/// correlation at once as Zᵀ·Z through the register-tiled <see cref="DenseProduct"/> kernel (AVX-512/AVX2), squared.
/// </summary>
public sealed class SpearmanCpuKernel : ISpearmanKernel
{
    public double[] SquaredCorrelations(double[] samples, int sampleCount, int units, out bool[] constant)
    {
        if (samples.Length != (long)sampleCount * units)
            throw new ArgumentException($"samples has {samples.Length} values; expected {sampleCount} x {units}", nameof(samples));
        var flags = new bool[units];
        // zt: [units x samples], one standardised rank column per row, ranked in place from the transposed samples.
        var zt = new double[(long)units * sampleCount];
        Transpose.Apply(samples, sampleCount, units, zt);
        Parallel.For(0, units, Parallelism.Options(), () => (Column: new double[sampleCount], Ranks: new RadixRanks(sampleCount)), (u, _, buffers) =>
        {
            var row = zt.AsSpan((int)((long)u * sampleCount), sampleCount);
            row.CopyTo(buffers.Column);
            if (!buffers.Ranks.AverageRanks(buffers.Column, row))
            {
                flags[u] = true;
                row.Clear();
                return buffers;
            }
            double mean = (sampleCount + 1) / 2.0, norm = 0;
            for (int s = 0; s < sampleCount; s++)
            {
                row[s] -= mean;
                norm += row[s] * row[s];
            }
            double scale = 1 / Math.Sqrt(norm);
            for (int s = 0; s < sampleCount; s++) row[s] *= scale;
            return buffers;
        }, _ => { });
        var z = new double[(long)sampleCount * units];
        Transpose.Apply(zt, units, sampleCount, z);
        var result = new double[(long)units * units];
        DenseProduct.Multiply(zt, sampleCount, z, units, result, units, units, sampleCount, units);
        for (int a = 0; a < units; a++)
        {
            for (int b = a; b < units; b++)
            {
                // Symmetrise (the two triangles are summed in different orders) and square.
                // Rounding can carry |r| a hair past 1; a correlation cannot exceed it.
                double r = a == b ? 0 : Math.Clamp(0.5 * (result[(long)a * units + b] + result[(long)b * units + a]), -1, 1);
                result[(long)a * units + b] = result[(long)b * units + a] = r * r;
            }
        }
        constant = flags;
        return result;
    }
}
