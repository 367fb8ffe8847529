namespace Analyzer.Kernels.Spearman;

/// <summary>
/// Spearman by the definition: average ranks per unit, then the Pearson correlation of every pair of rank columns,
/// O(units² · samples). It exists to be trusted, not to be fast: the tests compare the fast kernels against it.
/// </summary>
public sealed class SpearmanReference
{
    public double[] SquaredCorrelations(double[] samples, int sampleCount, int units, out bool[] constant)
    {
        var ranks = new double[units][];
        constant = new bool[units];
        var order = new int[sampleCount];
        for (int u = 0; u < units; u++)
        {
            var column = new double[sampleCount];
            for (int s = 0; s < sampleCount; s++) column[s] = samples[s * units + u];
            ranks[u] = new double[sampleCount];
            constant[u] = !RankTransform.AverageRanks(column, ranks[u], order);
        }
        var result = new double[units * units];
        for (int a = 0; a < units; a++)
            for (int b = a + 1; b < units; b++)
            {
                if (constant[a] || constant[b]) continue;
                double ma = ranks[a].Average(), mb = ranks[b].Average(), sab = 0, saa = 0, sbb = 0;
                for (int s = 0; s < sampleCount; s++)
                {
                    double da = ranks[a][s] - ma, db = ranks[b][s] - mb;
                    sab += da * db;
                    saa += da * da;
                    sbb += db * db;
                }
                double r = sab / Math.Sqrt(saa * sbb);
                result[a * units + b] = result[b * units + a] = r * r;
            }
        return result;
    }
}
