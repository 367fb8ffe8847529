namespace Analyzer.Kernels.LinearAlgebra;

/// <summary><see cref="LabelledRowSums"/> one column at a time, to check it against.</summary>
public static class LabelledRowSumsReference
{
    public static (double Labelled, double Within) Compute(double[] row, int[] columnLabels, int label)
    {
        double labelled = 0, within = 0;
        for (int j = 0; j < row.Length; j++)
        {
            if (columnLabels[j] < 0) continue;
            labelled += row[j];
            if (columnLabels[j] == label) within += row[j];
        }
        return (labelled, within);
    }
}
