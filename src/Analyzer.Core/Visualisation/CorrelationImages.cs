using System.Numerics.Tensors;
using Analyzer.Kernels.Spearman;

namespace Analyzer.Core.Visualisation;

/// <summary>
/// Correlation-based visualisation of first-layer units (docs/method.md §8, the paper's Figures 4-5): each unit's
/// Spearman correlation with every input pixel over a set of examples is an image; a subcluster's image is the mean of
/// its units' images after their signs are aligned (a unit and its negation detect the same feature). Lateralisation
/// says how much of that image lies on one side.
/// </summary>
public sealed class CorrelationImages
{
    private readonly double[] images; // [units x pixels], row u the correlations of unit u with every pixel

    /// <param name="pixels">[examples x pixels] inputs.</param>
    /// <param name="units">[examples x units] the units' values (pre-activations) on the same examples.</param>
    public CorrelationImages(float[] pixels, int pixelCount, float[] units, int unitCount, int examples)
    {
        PixelCount = pixelCount;
        UnitCount = unitCount;
        var pixelRanks = StandardisedRanks(pixels, examples, pixelCount);
        var unitRanks = StandardisedRanks(units, examples, unitCount);
        images = new double[(long)unitCount * pixelCount];
        Parallel.For(0, unitCount, u =>
        {
            var unit = unitRanks.AsSpan(u * examples, examples);
            for (int p = 0; p < pixelCount; p++)
                images[(long)u * pixelCount + p] = TensorPrimitives.Dot(unit, pixelRanks.AsSpan(p * examples, examples));
        });
    }

    public int PixelCount { get; }
    public int UnitCount { get; }

    /// <summary>Unit u's correlation image (0 where the pixel or the unit is constant).</summary>
    public ReadOnlySpan<double> Of(int unit) => images.AsSpan(unit * PixelCount, PixelCount);

    /// <summary>
    /// The mean image of some units with signs aligned: 20 passes over the units in an order drawn from the seed,
    /// flipping a unit whose summed cosine similarity to the others (as currently signed) is negative.
    /// </summary>
    public double[] Aligned(IReadOnlyList<int> units, int seed, int passes = 20)
    {
        int n = units.Count;
        var sign = Enumerable.Repeat(1.0, n).ToArray();
        var norms = units.Select(u => Math.Sqrt(TensorPrimitives.Dot(Of(u), Of(u)))).ToArray();
        var cosine = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                cosine[i * n + j] = cosine[j * n + i] = norms[i] > 0 && norms[j] > 0 ? TensorPrimitives.Dot(Of(units[i]), Of(units[j])) / (norms[i] * norms[j]) : 0;
        var rng = new Random(seed);
        var order = Enumerable.Range(0, n).ToArray();
        for (int pass = 0; pass < passes; pass++)
        {
            rng.Shuffle(order);
            foreach (int i in order)
            {
                double sum = 0;
                for (int j = 0; j < n; j++) sum += sign[j] * cosine[i * n + j];
                if (sign[i] * sum < 0) sign[i] = -sign[i];
            }
        }
        var mean = new double[PixelCount];
        for (int i = 0; i < n; i++)
        {
            var image = Of(units[i]);
            for (int p = 0; p < PixelCount; p++) mean[p] += sign[i] * image[p] / n;
        }
        return mean;
    }

    /// <summary>|L - R| / (L + R) with L and R the sums of |image| over the left and right halves of each row (the
    /// middle column of an odd width in neither): 1 when all of it lies on one side, 0 when balanced; 0 for a blank image.</summary>
    public static double Lateralisation(ReadOnlySpan<double> image, int height, int width)
    {
        double left = 0, right = 0;
        int half = width / 2;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < half; x++)
            {
                left += Math.Abs(image[y * width + x]);
                right += Math.Abs(image[y * width + width - 1 - x]);
            }
        return left + right > 0 ? Math.Abs(left - right) / (left + right) : 0;
    }

    /// <summary>Per column of a [examples x columns] matrix: average ranks, centred and scaled to unit norm, stored
    /// column-major, so a dot product of two columns is their Spearman correlation; a constant column is all zeros.</summary>
    private static double[] StandardisedRanks(float[] values, int examples, int columns)
    {
        var result = new double[(long)columns * examples];
        Parallel.For(0, columns, () => (Column: new double[examples], Order: new int[examples]), (c, _, scratch) =>
        {
            for (int e = 0; e < examples; e++) scratch.Column[e] = values[(long)e * columns + c];
            var ranks = result.AsSpan(c * examples, examples);
            if (!RankTransform.AverageRanks(scratch.Column, ranks, scratch.Order))
            {
                ranks.Clear();
                return scratch;
            }
            double mean = (examples + 1) / 2.0, norm = 0;
            for (int e = 0; e < examples; e++) norm += (ranks[e] - mean) * (ranks[e] - mean);
            double scale = 1 / Math.Sqrt(norm);
            for (int e = 0; e < examples; e++) ranks[e] = (ranks[e] - mean) * scale;
            return scratch;
        }, _ => { });
        return result;
    }
}
