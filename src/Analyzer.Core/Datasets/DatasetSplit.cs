namespace Analyzer.Core.Datasets;

/// <summary>Which part of a dataset: the training split (activation samples) or the test split (lesions).</summary>
public enum DatasetSplit
{
    Train,
    Test,
}
