namespace Analyzer.Onnx.Rewriting;

/// <summary>
/// Where a lesion mask enters a model: the data input (input 0) of node <see cref="NodeIndex"/> is multiplied by the
/// mask input <see cref="MaskName"/> of shape [batch, units] (1 keeps a unit, 0 removes it).
/// </summary>
/// <param name="Rank">Rank of the node's data input: 2 for a dense layer, 4 for a 2-D conv.</param>
/// <param name="FeatureUnits">For a dense layer whose units group several features (a flattened conv feature map), the
/// unit of every feature; null when unit i is feature i or channel i.</param>
/// <param name="UnitAxis">The input axis that holds the units: 1, or the last axis for a dense layer applied at every
/// position ([batch, tokens, features]).</param>
/// <param name="BatchAxis">The input axis that holds the examples: 0, or 1 for a recurrent layer reading [T, N, I].</param>
public sealed record MaskPoint(string MaskName, int NodeIndex, int Units, int Rank, int[]? FeatureUnits, int UnitAxis = 1, int BatchAxis = 0);
