using ILGPU;
using ILGPU.Runtime;

namespace Analyzer.Kernels.Spearman;

/// <summary>
/// Spearman tiles on an ILGPU accelerator (PTX on NVIDIA GPUs, needing only the driver): ranks on the CPU
/// (<see cref="SpearmanRanks"/>), uploaded once per set of ranks with samples as rows (consecutive threads read
/// consecutive units), one thread per pair of the tile summing over the samples, squared on the device.
/// </summary>
public sealed class SpearmanIlgpuKernel : ISpearmanKernel, IDisposable
{
    private readonly IlgpuDevice device;
    private readonly Action<Index2D, ArrayView1D<double, Stride1D.Dense>, TileSpan, ArrayView1D<double, Stride1D.Dense>> correlate;
    private SpearmanRanks? uploaded;
    private MemoryBuffer1D<double, Stride1D.Dense>? z;
    private MemoryBuffer1D<double, Stride1D.Dense>? result;

    /// <summary>Where a tile lies: its first row and column unit, its width, and the ranks' shape.</summary>
    public readonly record struct TileSpan(int RowStart, int ColStart, int Cols, int Samples, int Units);

    public SpearmanIlgpuKernel(IlgpuTarget target)
    {
        device = new IlgpuDevice(target);
        correlate = device.Accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView1D<double, Stride1D.Dense>, TileSpan, ArrayView1D<double, Stride1D.Dense>>(Correlate);
    }

    /// <summary>The device's name, e.g. "NVIDIA H100 80GB HBM3" or "CPUAccelerator".</summary>
    public string DeviceName => device.Name;

    /// <summary>True when a CUDA device is visible to ILGPU.</summary>
    public static bool CudaAvailable() => IlgpuDevice.CudaAvailable();

    public void SquaredTile(SpearmanRanks ranks, int rowStart, int rows, int colStart, int cols, double[] tile)
    {
        lock (device)
        {
            var accelerator = device.Accelerator;
            if (!ReferenceEquals(uploaded, ranks))
            {
                z?.Dispose();
                var sampleMajor = new double[(long)ranks.Samples * ranks.Units];
                LinearAlgebra.Transpose.Apply(ranks.Rows, ranks.Units, ranks.Samples, sampleMajor);
                z = accelerator.Allocate1D(sampleMajor);
                uploaded = ranks;
            }
            if (result is null || result.Length < (long)rows * cols)
            {
                result?.Dispose();
                result = accelerator.Allocate1D<double>((long)rows * cols);
            }
            correlate(new Index2D(cols, rows), z!.View, new TileSpan(rowStart, colStart, cols, ranks.Samples, ranks.Units), result.View);
            accelerator.Synchronize();
            result.View.SubView(0, (long)rows * cols).AsContiguous().CopyToCPU(tile.AsSpan(0, rows * cols));
        }
    }

    /// <summary>r² of one pair of the tile: index.X is the column (consecutive threads, consecutive addresses), index.Y
    /// the row. The sum runs over the samples in the same order for (a, b) and (b, a), so a tile is exactly symmetric.</summary>
    private static void Correlate(Index2D index, ArrayView1D<double, Stride1D.Dense> z, TileSpan span, ArrayView1D<double, Stride1D.Dense> result)
    {
        int a = span.RowStart + index.Y, b = span.ColStart + index.X;
        double r = 0;
        if (a != b)
        {
            double sum = 0;
            for (int s = 0; s < span.Samples; s++)
                sum += z[(long)s * span.Units + a] * z[(long)s * span.Units + b];
            r = sum > 1 ? 1 : sum < -1 ? -1 : sum;
        }
        result[(long)index.Y * span.Cols + index.X] = r * r;
    }

    public void Dispose()
    {
        z?.Dispose();
        result?.Dispose();
        device.Dispose();
    }
}
