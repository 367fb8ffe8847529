using Analyzer.Kernels.LinearAlgebra;
using BenchmarkDotNet.Attributes;

namespace Analyzer.Benchmarks;

/// <summary>The product at the heart of the eigensolver: a dense n x n graph times an n x 48 block.</summary>
[MemoryDiagnoser]
public class DenseProductBenchmarks
{
    private double[] a = [], x = [], c = [];

    [Params(1818, 4224)]
    public int N { get; set; }

    private const int Block = 48;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        a = Enumerable.Range(0, N * N).Select(_ => rng.NextDouble()).ToArray();
        x = Enumerable.Range(0, N * Block).Select(_ => rng.NextDouble()).ToArray();
        c = new double[N * Block];
    }

    [Benchmark]
    public void Multiply() => DenseProduct.Multiply(a, N, x, Block, c, Block, N, N, Block);
}
