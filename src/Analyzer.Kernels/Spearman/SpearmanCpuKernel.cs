using System.Buffers;
using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Kernels.Spearman;

/// <summary>
/// Spearman tiles on the CPU: the two ranges' rank rows copied out (the columns' transposed), their product through the
/// register-tiled <see cref="DenseProduct"/> kernel (AVX-512/AVX2) on the calling thread, squared. Callers run tiles in
/// parallel.
/// </summary>
public sealed class SpearmanCpuKernel : ISpearmanKernel
{
    public void SquaredTile(SpearmanRanks ranks, int rowStart, int rows, int colStart, int cols, double[] tile)
    {
        int samples = ranks.Samples;
        var pool = ArrayPool<double>.Shared;
        var left = pool.Rent(rows * samples);
        var right = pool.Rent(samples * cols);
        try
        {
            Array.Copy(ranks.Rows, (long)rowStart * samples, left, 0, (long)rows * samples);
            for (int c = 0; c < cols; c++)
            {
                var row = ranks.Rows.AsSpan((int)((long)(colStart + c) * samples), samples);
                for (int s = 0; s < samples; s++) right[s * cols + c] = row[s];
            }
            DenseProduct.Multiply(left, samples, right, cols, tile, cols, rows, samples, cols, maxThreads: 1);
        }
        finally
        {
            pool.Return(left);
            pool.Return(right);
        }
        bool diagonal = rowStart == colStart && rows == cols;
        for (int r = 0; r < rows; r++)
            for (int c = diagonal ? r : 0; c < cols; c++)
            {
                // On a diagonal tile the two triangles are summed in different orders: symmetrise. Rounding can carry
                // |r| a hair past 1; a correlation cannot exceed it.
                double value = diagonal ? 0.5 * (tile[r * cols + c] + tile[c * cols + r]) : tile[r * cols + c];
                double clamped = rowStart + r == colStart + c ? 0 : Math.Clamp(value, -1, 1);
                tile[r * cols + c] = clamped * clamped;
                if (diagonal) tile[c * cols + r] = clamped * clamped;
            }
    }
}
