namespace Analyzer.Kernels.Spearman;

/// <summary>Average ranks (1-based, ties share their mean rank), the ranking scipy.stats.rankdata(method="average") uses.</summary>
public static class RankTransform
{
    /// <summary>Ranks of <paramref name="values"/> written to <paramref name="ranks"/>; returns false when all values are
    /// equal (the unit is constant).</summary>
    public static bool AverageRanks(ReadOnlySpan<double> values, Span<double> ranks, int[] order)
    {
        int n = values.Length;
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = values.ToArray();
        Array.Sort(keys, order, 0, n);
        int start = 0;
        while (start < n)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start]) end++;
            double rank = 0.5 * (start + end - 1) + 1;
            for (int j = start; j < end; j++) ranks[order[j]] = rank;
            start = end;
        }
        return n > 0 && keys[0] != keys[n - 1];
    }
}
