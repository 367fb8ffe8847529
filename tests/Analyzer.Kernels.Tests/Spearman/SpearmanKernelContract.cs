using Analyzer.Kernels.Spearman;
using Analyzer.TestSupport;

namespace Analyzer.Kernels.Tests.Spearman;

/// <summary>The properties every Spearman kernel must have; subclassed once per implementation.</summary>
public abstract class SpearmanKernelContract
{
    protected abstract ISpearmanKernel? Kernel { get; }

    /// <summary>The whole squared-correlation matrix, as this implementation computes it (tile by tile for a kernel).</summary>
    protected virtual double[] Correlations(double[] samples, int sampleCount, int units, out bool[] constant) =>
        Kernel!.SquaredCorrelations(samples, sampleCount, units, out constant);

    /// <summary>Tolerance of this backend against exact arithmetic.</summary>
    protected virtual Tolerance Precision => new(1e-12, 1e-10);

    private static double[] Random(int samples, int units, int seed, int levels = 0)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, samples * units).Select(_ => levels > 0 ? rng.Next(levels) : rng.NextDouble() * 4 - 2).ToArray();
    }

    [Fact]
    public void Hand_computed_pair_with_a_tie()
    {
        // x = 1..5, y = 5 6 7 8 7: ranks of y 1 2 3.5 5 3.5, r = 8/√95 (scipy.stats.spearmanr: 0.8207826816681233).
        double[] samples = [1, 5, 2, 6, 3, 7, 4, 8, 5, 7];
        var r2 = Correlations(samples, 5, 2, out var constant);
        Assert.Equal(64.0 / 95, r2[1], 12);
        Assert.Equal(r2[1], r2[2]);
        Assert.Equal([0.0, 0.0], new[] { r2[0], r2[3] });
        Assert.Equal([false, false], constant);
    }

    [Theory]
    [InlineData(50, 7, 0)]
    [InlineData(300, 40, 4)]   // heavy ties
    [InlineData(513, 33, 0)]
    [InlineData(40, 600, 3)]   // three tiles a side, the last partial
    public void Agrees_with_the_pairwise_definition(int samples, int units, int levels)
    {
        var data = Random(samples, units, samples + units, levels);
        var expected = new SpearmanReference().SquaredCorrelations(data, samples, units, out var expectedConstant);
        var actual = Correlations(data, samples, units, out var actualConstant);
        Assert.Equal(expectedConstant, actualConstant);
        Precision.AssertAll(actual, expected, "r²");
    }

    [Fact]
    public void Is_invariant_under_strictly_increasing_transforms()
    {
        int samples = 200, units = 10;
        var data = Random(samples, units, 3);
        var transformed = data.Select((v, i) => i % units % 2 == 0 ? Math.Exp(v) : v * v * v + 5).ToArray();
        var a = Correlations(data, samples, units, out _);
        var b = Correlations(transformed, samples, units, out _);
        Precision.AssertAll(b, a, "r² after monotone transforms");
    }

    [Fact]
    public void Constant_units_are_flagged_and_have_no_edges()
    {
        int samples = 30, units = 4;
        var data = Random(samples, units, 4);
        for (int s = 0; s < samples; s++) data[s * units + 2] = 1.5;
        var r2 = Correlations(data, samples, units, out var constant);
        Assert.Equal([false, false, true, false], constant);
        for (int u = 0; u < units; u++)
        {
            Assert.Equal(0.0, r2[2 * units + u]);
            Assert.Equal(0.0, r2[u * units + 2]);
        }
        Assert.True(r2[0 * units + 1] > 0);
    }

    [Fact]
    public void A_single_sample_makes_every_unit_constant()
    {
        var r2 = Correlations([1.0, 2.0, 3.0], 1, 3, out var constant);
        Assert.All(constant, Assert.True);
        Assert.All(r2, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Perfectly_monotone_and_reversed_units_correlate_fully()
    {
        int samples = 20;
        var data = new double[samples * 2];
        for (int s = 0; s < samples; s++)
        {
            data[2 * s] = s;
            data[2 * s + 1] = -Math.Pow(s, 3);
        }
        var r2 = Correlations(data, samples, 2, out _);
        Assert.Equal(1.0, r2[1], 12);
    }
}

public class SpearmanReferenceTests : SpearmanKernelContract
{
    protected override ISpearmanKernel? Kernel => null;

    protected override double[] Correlations(double[] samples, int sampleCount, int units, out bool[] constant) =>
        new SpearmanReference().SquaredCorrelations(samples, sampleCount, units, out constant);
}

public class SpearmanCpuKernelTests : SpearmanKernelContract
{
    protected override ISpearmanKernel Kernel { get; } = new SpearmanCpuKernel();
}

public class SpearmanClampTests
{
    [Fact]
    public void Squared_correlations_never_exceed_one()
    {
        // Identical columns of awkward values: rounding in the product would give r slightly above 1.
        var rng = new Random(9);
        int samples = 997, units = 6;
        var column = Enumerable.Range(0, samples).Select(_ => rng.NextDouble() * 1e3).ToArray();
        var data = new double[samples * units];
        for (int s = 0; s < samples; s++)
            for (int u = 0; u < units; u++) data[s * units + u] = column[s] * (u + 1);
        var r2 = new SpearmanCpuKernel().SquaredCorrelations(data, samples, units, out _);
        Assert.All(r2, v => Assert.InRange(v, 0.0, 1.0));
    }
}

public class RadixRanksTests
{
    [Theory]
    [InlineData(1000, 0)]
    [InlineData(1000, 7)]     // many ties
    [InlineData(3, 0)]
    public void Radix_ranks_equal_the_comparison_sort_ranks(int n, int levels)
    {
        var rng = new Random(n + levels);
        var values = Enumerable.Range(0, n).Select(_ => levels > 0 ? rng.Next(levels) - 3.0 : (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-5, 6))).ToArray();
        values[0] = -0.0;
        if (n > 1) values[1] = 0.0;
        var expected = new double[n];
        var actual = new double[n];
        bool expectedVaries = RankTransform.AverageRanks(values, expected, new int[n]);
        bool actualVaries = new RadixRanks(n).AverageRanks(values, actual);
        Assert.Equal(expectedVaries, actualVaries);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Equal_values_are_constant()
    {
        Assert.False(new RadixRanks(4).AverageRanks([2.5, 2.5, 2.5, 2.5], new double[4]));
    }
}

/// <summary>The ILGPU kernel on ILGPU's CPU accelerator: the same code that becomes PTX, run in CI.</summary>
public sealed class SpearmanIlgpuCpuTests : SpearmanKernelContract, IDisposable
{
    private readonly SpearmanIlgpuKernel kernel = new(IlgpuTarget.Cpu);
    protected override ISpearmanKernel Kernel => kernel;
    public void Dispose() => kernel.Dispose();
}

/// <summary>The ILGPU kernel on a CUDA GPU; skipped where none is visible.</summary>
public sealed class SpearmanIlgpuCudaTests : IDisposable
{
    private readonly SpearmanIlgpuKernel? kernel = SpearmanIlgpuKernel.CudaAvailable() ? new(IlgpuTarget.Cuda) : null;

    [SkippableFact]
    public void Agrees_with_the_cpu_kernel_on_the_gpu()
    {
        Skip.If(kernel is null, "no CUDA device is visible to ILGPU");
        var rng = new Random(11);
        int samples = 2000, units = 300;
        var data = Enumerable.Range(0, samples * units).Select(_ => Math.Round(rng.NextDouble() * 100)).ToArray();
        var expected = new SpearmanCpuKernel().SquaredCorrelations(data, samples, units, out _);
        var actual = kernel!.SquaredCorrelations(data, samples, units, out _);
        new Tolerance(1e-12, 1e-9).AssertAll(actual, expected, "r²");
    }

    public void Dispose() => kernel?.Dispose();
}
