using Analyzer.Onnx.Model;

namespace Analyzer.Onnx.Shapes;

/// <summary>
/// Static shapes of every tensor of a graph for one example (symbolic batch dimensions set to 1), and the values of
/// every tensor that is constant (initializers and what folds from them: Constant, ConstantOfShape, Shape, ...).
/// </summary>
public sealed class InferredShapes
{
    internal InferredShapes(Dictionary<string, long[]> shapes, Dictionary<string, OnnxTensor> constants, long opset)
    {
        Shapes = shapes;
        Constants = constants;
        Opset = opset;
    }

    /// <summary>The model's default-domain opset (some operators read their arguments differently by opset).</summary>
    public long Opset { get; }

    public IReadOnlyDictionary<string, long[]> Shapes { get; }
    public IReadOnlyDictionary<string, OnnxTensor> Constants { get; }

    public long[] ShapeOf(string tensor) => Shapes[tensor];
    public bool IsConstant(string tensor) => Constants.ContainsKey(tensor);
    public OnnxTensor? ConstantOf(string? tensor) => tensor is null ? null : Constants.GetValueOrDefault(tensor);
}
