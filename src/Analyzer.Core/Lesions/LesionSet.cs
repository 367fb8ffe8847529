namespace Analyzer.Core.Lesions;

/// <summary>A set of units of one node set to remove together (sets file: {"id", "layer", "units"}).</summary>
public sealed record LesionSet(string Id, int NodeSet, int[] Units);

/// <summary>Accuracy over the evaluated examples after a lesion, overall and per class (NaN for a class with no
/// examples).</summary>
public sealed record LesionOutcome(string Id, double Accuracy, double[] ClassAccuracy);
