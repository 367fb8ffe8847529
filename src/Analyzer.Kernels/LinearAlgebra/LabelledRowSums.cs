using System.Numerics;

namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// The two sums a normalized cut needs from one adjacency row: over the columns with a label (label ≥ 0), and over the
/// columns with the row's own label. Labels come as doubles so that both masks are SIMD compares; every k-means
/// restart's cut reads the whole graph, so this loop is the cut's cost.
/// </summary>
public static class LabelledRowSums
{
    public static (double Labelled, double Within) Compute(ReadOnlySpan<double> row, ReadOnlySpan<double> columnLabels, double label)
    {
        if (row.Length != columnLabels.Length) throw new ArgumentException($"{row.Length} values and {columnLabels.Length} labels", nameof(columnLabels));
        int width = Vector<double>.Count, vectorEnd = row.Length - row.Length % width;
        var labelled = Vector<double>.Zero;
        var within = Vector<double>.Zero;
        var own = new Vector<double>(label);
        for (int j = 0; j < vectorEnd; j += width)
        {
            var values = new Vector<double>(row.Slice(j, width));
            var labels = new Vector<double>(columnLabels.Slice(j, width));
            labelled += Vector.ConditionalSelect(Vector.GreaterThanOrEqual(labels, Vector<double>.Zero), values, Vector<double>.Zero);
            within += Vector.ConditionalSelect(Vector.Equals(labels, own), values, Vector<double>.Zero);
        }
        double labelledSum = Vector.Sum(labelled), withinSum = Vector.Sum(within);
        for (int j = vectorEnd; j < row.Length; j++)
        {
            if (columnLabels[j] >= 0) labelledSum += row[j];
            if (columnLabels[j] == label) withinSum += row[j];
        }
        return (labelledSum, withinSum);
    }
}
