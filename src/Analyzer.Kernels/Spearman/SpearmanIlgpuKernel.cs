using ILGPU;
using ILGPU.Runtime;

namespace Analyzer.Kernels.Spearman;

/// <summary>
/// Spearman with the correlations on an ILGPU accelerator (PTX on NVIDIA GPUs, needing only the driver): ranks on the
/// CPU (<see cref="RadixRanks"/>), standardised rank columns uploaded once, one thread per pair (a ≤ b) summing over
/// the samples with consecutive threads reading consecutive units, squared on the device.
/// </summary>
public sealed class SpearmanIlgpuKernel : ISpearmanKernel, IDisposable
{
    private readonly IlgpuDevice device;
    private readonly Action<Index2D, ArrayView1D<double, Stride1D.Dense>, int, int, ArrayView1D<double, Stride1D.Dense>> correlate;

    public SpearmanIlgpuKernel(IlgpuTarget target)
    {
        device = new IlgpuDevice(target);
        correlate = device.Accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView1D<double, Stride1D.Dense>, int, int, ArrayView1D<double, Stride1D.Dense>>(Correlate);
    }

    /// <summary>The device's name, e.g. "NVIDIA H100 80GB HBM3" or "CPUAccelerator".</summary>
    public string DeviceName => device.Name;

    /// <summary>True when a CUDA device is visible to ILGPU.</summary>
    public static bool CudaAvailable() => IlgpuDevice.CudaAvailable();

    public double[] SquaredCorrelations(double[] samples, int sampleCount, int units, out bool[] constant)
    {
        if (samples.Length != (long)sampleCount * units)
            throw new ArgumentException($"samples has {samples.Length} values; expected {sampleCount} x {units}", nameof(samples));
        // z: [samples x units], standardised ranks (zero for constant units).
        var z = new double[(long)sampleCount * units];
        var flags = new bool[units];
        Parallel.For(0, units, Parallelism.Options(), () => (Column: new double[sampleCount], Ranks: new double[sampleCount], Radix: new RadixRanks(sampleCount)), (u, _, b) =>
        {
            for (int s = 0; s < sampleCount; s++) b.Column[s] = samples[(long)s * units + u];
            if (!b.Radix.AverageRanks(b.Column, b.Ranks))
            {
                flags[u] = true;
                return b;
            }
            double mean = (sampleCount + 1) / 2.0, norm = 0;
            for (int s = 0; s < sampleCount; s++) norm += (b.Ranks[s] - mean) * (b.Ranks[s] - mean);
            double scale = 1 / Math.Sqrt(norm);
            for (int s = 0; s < sampleCount; s++) z[(long)s * units + u] = (b.Ranks[s] - mean) * scale;
            return b;
        }, _ => { });
        var accelerator = device.Accelerator;
        using var zBuffer = accelerator.Allocate1D(z);
        using var resultBuffer = accelerator.Allocate1D<double>((long)units * units);
        resultBuffer.MemSetToZero();
        correlate(new Index2D(units, units), zBuffer.View, sampleCount, units, resultBuffer.View);
        accelerator.Synchronize();
        var result = resultBuffer.GetAsArray1D();
        for (int a = 0; a < units; a++)
            for (int b = 0; b < a; b++) result[(long)a * units + b] = result[(long)b * units + a];
        constant = flags;
        return result;
    }

    /// <summary>r²[a, b] for a &lt; b: index.X is b (consecutive threads, consecutive addresses), index.Y is a.</summary>
    private static void Correlate(Index2D index, ArrayView1D<double, Stride1D.Dense> z, int samples, int units,
        ArrayView1D<double, Stride1D.Dense> result)
    {
        int b = index.X, a = index.Y;
        if (a >= b) return;
        double sum = 0;
        for (int s = 0; s < samples; s++)
            sum += z[(long)s * units + a] * z[(long)s * units + b];
        double r = sum > 1 ? 1 : sum < -1 ? -1 : sum;
        result[(long)a * units + b] = r * r;
    }

    public void Dispose() => device.Dispose();
}
