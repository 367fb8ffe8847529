using System.Numerics;

namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// The two sums a normalized cut needs from one adjacency row: over the columns with a label (label ≥ 0), and over the
/// columns with the row's own label. Labels come as doubles so that both masks are SIMD compares; every k-means
/// restart's cut reads the whole graph, so this loop is the cut's cost. The first sum depends only on which columns are
/// labelled, so labellings that label the same nodes (the restarts of one clustering) can share it.
/// </summary>
public static class LabelledRowSums
{
    public static (double Labelled, double Within) Compute(ReadOnlySpan<double> row, ReadOnlySpan<double> columnLabels, double label) =>
        (Labelled(row, columnLabels), Within(row, columnLabels, label));

    /// <summary>The sum over the columns with a label.</summary>
    public static double Labelled(ReadOnlySpan<double> row, ReadOnlySpan<double> columnLabels) =>
        MaskedSum(row, columnLabels, 0, equal: false);

    /// <summary>The sum over the columns labelled <paramref name="label"/>.</summary>
    public static double Within(ReadOnlySpan<double> row, ReadOnlySpan<double> columnLabels, double label) =>
        MaskedSum(row, columnLabels, label, equal: true);

    private static double MaskedSum(ReadOnlySpan<double> row, ReadOnlySpan<double> columnLabels, double label, bool equal)
    {
        if (row.Length != columnLabels.Length) throw new ArgumentException($"{row.Length} values and {columnLabels.Length} labels", nameof(columnLabels));
        int width = Vector<double>.Count, vectorEnd = row.Length - row.Length % width;
        var sum = Vector<double>.Zero;
        var threshold = new Vector<double>(label);
        for (int j = 0; j < vectorEnd; j += width)
        {
            var values = new Vector<double>(row.Slice(j, width));
            var labels = new Vector<double>(columnLabels.Slice(j, width));
            var mask = equal ? Vector.Equals(labels, threshold) : Vector.GreaterThanOrEqual(labels, threshold);
            sum += Vector.ConditionalSelect(mask, values, Vector<double>.Zero);
        }
        double total = Vector.Sum(sum);
        for (int j = vectorEnd; j < row.Length; j++)
            if (equal ? columnLabels[j] == label : columnLabels[j] >= label) total += row[j];
        return total;
    }
}
