namespace Analyzer.Core.Graphs;

/// <summary>
/// A layer found by <see cref="NetworkTracer"/> (docs/method.md §1: Gemm, MatMul(+Add) or Conv), with what it reads and its
/// folded absolute weights per input unit.
/// </summary>
/// <param name="Index">Position among the model's layers, in graph order.</param>
/// <param name="Name">The ONNX node name, or its first output's name.</param>
/// <param name="Op">The ONNX operator.</param>
/// <param name="InputUnits">The layer's input units: a conv's input channels, or a dense layer's input features grouped
/// by origin (a flattened conv feature map gives one unit per channel).</param>
/// <param name="ComputeWeights">Computes [outputs x input units], row-major: the weights joining output j to input unit
/// i, times the unit's in-scale and alpha. Conv: the entrywise L1 norm over kernel positions (absolute); dense: W summed
/// over the unit's features, with its sign (<paramref name="Signed"/>), so that weights can also be composed. Computed on
/// demand from the model's own (float32 or float16) weights, not kept: describing a model costs no copy of them.</param>
/// <param name="Outputs">Number of output units (dense) or channels (conv).</param>
/// <param name="NodeIndex">Position of the layer's node in the ONNX node list.</param>
/// <param name="InputShape">Shape of the data input for one example.</param>
/// <param name="OutputShape">Shape of the output for one example.</param>
/// <param name="FeatureUnits">Dense layers whose units group several input features: the unit of each feature.</param>
/// <param name="UnitAxis">The axis of the data input that holds the units: 1 (conv, and dense on [batch, features]) or
/// the last axis (a dense layer applied at every position of [batch, tokens, features] or [batch, H, W, C]).</param>
/// <param name="Signed">Whether the weights keep their signs.</param>
/// <param name="Convolution">Whether its units are the channels of feature maps (a conv), not a dense layer's features.</param>
/// <param name="ComputeRecurrentWeights">For a recurrent layer (LSTM, GRU, RNN), its absolute weights from its own outputs
/// of the previous step, [outputs x outputs]; null for others.</param>
public sealed record TracedLayer(
    int Index,
    string Name,
    string Op,
    int NodeIndex,
    ChannelOrigin[] InputUnits,
    Func<double[]> ComputeWeights,
    int Outputs,
    long[] InputShape,
    long[] OutputShape,
    int[]? FeatureUnits = null,
    int UnitAxis = 1,
    bool Signed = false,
    bool Convolution = false,
    Func<double[]>? ComputeRecurrentWeights = null)
{
    public int InputUnitCount => InputUnits.Length;
}
