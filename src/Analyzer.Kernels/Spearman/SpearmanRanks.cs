namespace Analyzer.Kernels.Spearman;

/// <summary>
/// Every unit's samples as a standardised rank row (docs/method.md §3): ranked with average ties, centred and scaled to
/// unit norm, so that a Spearman correlation is the dot product of two rows. A unit whose values are all equal has no
/// defined correlation: it is flagged in <see cref="Constant"/> and its row is zero.
/// </summary>
public sealed class SpearmanRanks
{
    private SpearmanRanks(double[] rows, int samples, int units, bool[] constant)
    {
        Rows = rows;
        Samples = samples;
        Units = units;
        Constant = constant;
    }

    /// <summary>[units x samples], row-major.</summary>
    public double[] Rows { get; }
    public int Samples { get; }
    public int Units { get; }
    public bool[] Constant { get; }

    /// <summary>Ranks <paramref name="unitMajor"/> ([units x samples], one unit's samples per row) in place: no second
    /// copy of the samples, which for a large model are most of the memory an activation graph needs.</summary>
    public static SpearmanRanks InPlace(double[] unitMajor, int sampleCount, int units)
    {
        if (unitMajor.Length != (long)sampleCount * units)
            throw new ArgumentException($"samples has {unitMajor.Length} values; expected {units} x {sampleCount}", nameof(unitMajor));
        var constant = new bool[units];
        Parallel.For(0, units, Parallelism.Options(), () => (Column: new double[sampleCount], Ranks: new RadixRanks(sampleCount)), (u, _, buffers) =>
        {
            var row = unitMajor.AsSpan((int)((long)u * sampleCount), sampleCount);
            row.CopyTo(buffers.Column);
            if (!buffers.Ranks.AverageRanks(buffers.Column, row))
            {
                constant[u] = true;
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
        return new SpearmanRanks(unitMajor, sampleCount, units, constant);
    }

    /// <summary>Ranks of samples given [samples x units] (one example per row); the input is left as it is.</summary>
    public static SpearmanRanks OfSamples(double[] samples, int sampleCount, int units)
    {
        if (samples.Length != (long)sampleCount * units)
            throw new ArgumentException($"samples has {samples.Length} values; expected {sampleCount} x {units}", nameof(samples));
        var unitMajor = new double[(long)units * sampleCount];
        LinearAlgebra.Transpose.Apply(samples, sampleCount, units, unitMajor);
        return InPlace(unitMajor, sampleCount, units);
    }
}
