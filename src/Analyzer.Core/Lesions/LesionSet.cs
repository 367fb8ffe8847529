namespace Analyzer.Core.Lesions;

/// <summary>A set of units of one node set to remove together (sets file: {"id", "layer", "units"}).</summary>
public sealed record LesionSet(string Id, int NodeSet, int[] Units);

/// <summary>Accuracy over the evaluated examples after a lesion, overall and per class (NaN for a class with no
/// examples), and how far its outputs moved from the intact model's (<see cref="OutputChange"/>: the mean over examples
/// of <see cref="OutputDivergence"/>; NaN when not measured).</summary>
public sealed record LesionOutcome(string Id, double Accuracy, double[] ClassAccuracy, double OutputChange = double.NaN);
