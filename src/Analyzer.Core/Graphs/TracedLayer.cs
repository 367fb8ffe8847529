namespace Analyzer.Core.Graphs;

/// <summary>
/// A layer found by <see cref="NetworkTracer"/> (METHOD.md 1: Gemm, MatMul(+Add) or Conv), with what it reads and its
/// folded absolute weights per input unit.
/// </summary>
/// <param name="Index">Position among the model's layers, in graph order.</param>
/// <param name="Name">The ONNX node name, or its first output's name.</param>
/// <param name="Op">The ONNX operator.</param>
/// <param name="InputUnits">The layer's input units: a conv's input channels, or a dense layer's input features grouped
/// by origin (a flattened conv feature map gives one unit per channel).</param>
/// <param name="UnitWeights">[outputs x input units], row-major: |W| summed over the entries joining output j to input
/// unit i (entrywise L1 over kernel positions and flattened features), times the unit's |in-scale| and |alpha|.</param>
/// <param name="Outputs">Number of output units (dense) or channels (conv).</param>
/// <param name="NodeIndex">Position of the layer's node in the ONNX node list.</param>
/// <param name="InputShape">Shape of the data input for one example.</param>
/// <param name="OutputShape">Shape of the output for one example.</param>
/// <param name="FeatureUnits">Dense layers whose units group several input features: the unit of each feature.</param>
public sealed record TracedLayer(
    int Index,
    string Name,
    string Op,
    int NodeIndex,
    ChannelOrigin[] InputUnits,
    double[] UnitWeights,
    int Outputs,
    long[] InputShape,
    long[] OutputShape,
    int[]? FeatureUnits = null)
{
    public int InputUnitCount => InputUnits.Length;
    public double Weight(int output, int inputUnit) => UnitWeights[output * InputUnits.Length + inputUnit];
}
