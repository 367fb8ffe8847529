namespace Analyzer.Core.Datasets;

/// <summary>One named array of a dataset's examples (an npz array per model input): its name and the sizes of one
/// example of it.</summary>
public sealed record DataField(string Name, long[] Dims)
{
    public long Size => Dims.Aggregate(1L, (a, d) => a * d);
}
