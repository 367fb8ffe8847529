using Analyzer.Onnx.Model;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// What a shape rule sees of one node: its inputs' shapes and constant values, its attributes, and where to put its
/// outputs' shapes (and values, when the node folds to a constant). Shapes are for one example: a symbolic batch
/// dimension counts as 1.
/// </summary>
internal sealed class ShapeContext(OnnxGraph graph, Dictionary<string, long[]> shapes, Dictionary<string, OnnxTensor> constants)
{
    public OnnxNode Node { get; private set; } = null!;

    /// <summary>Per node index, a value that replaces one of the node's inputs (a repaired Reshape target).</summary>
    public Dictionary<int, (int Input, OnnxTensor Value)> InputOverrides { get; } = [];
    public long Opset => graph.OpsetVersion;

    public void Visit(OnnxNode node, ShapeRule rule)
    {
        Node = node;
        rule(this);
    }

    public ModelFormatException Fail(string problem) => Errors.Node(graph.Path, new(Node.DisplayName, Node.OpType), problem);

    public int InputCount => Node.Inputs.Count;
    public bool Has(int i) => Node.Input(i) is not null;
    public long[] Shape(int i) => shapes[Node.Inputs[i]];
    public OnnxTensor? Const(int i) =>
        InputOverrides.TryGetValue(Node.Index, out var replaced) && replaced.Input == i ? replaced.Value
        : Node.Input(i) is { } name ? constants.GetValueOrDefault(name) : null;
    public bool AllConstant => Node.Inputs.Where(s => s.Length > 0).All(constants.ContainsKey);
    public IEnumerable<string> PresentInputs => Node.Inputs.Where(s => s.Length > 0);
    public long[] ShapeOf(string tensor) => shapes[tensor];
    public OnnxTensor ConstantNamed(string tensor) => constants[tensor];

    /// <summary>A constant int64 input, or an error naming what it is.</summary>
    public long[] ConstInts(int i, string what) => (Const(i) ?? throw Fail($"{what} is computed at run time; Analyzer needs it constant")).AsInt64s();

    public void Set(int output, long[] shape, OnnxTensor? value = null)
    {
        if (output >= Node.Outputs.Count || Node.Outputs[output].Length == 0) return;
        string name = Node.Outputs[output];
        shapes[name] = shape;
        if (value is not null) constants[name] = value;
    }

    public void SetFloats(long[] shape, double[] values) => Set(0, shape, OnnxTensor.FromFloats(Node.Outputs[0], shape, values));
    public void SetInts(long[] shape, long[] values) => Set(0, shape, OnnxTensor.FromInts(Node.Outputs[0], shape, values));

    /// <summary>The same values under a new shape (reshapes of constants).</summary>
    public OnnxTensor? Reshaped(OnnxTensor? value, long[] shape) =>
        value is null ? null : new OnnxTensor(Node.Outputs[0], shape, value.ElementType, value.IsFloatingPoint ? value.Floats : null, value.Ints);

    /// <summary>Output element i takes source element map[i].</summary>
    public void SetMapped(OnnxTensor source, long[] shape, IEnumerable<long> map)
    {
        if (source.IsFloatingPoint)
            SetFloats(shape, map.Select(i => source.Floats![i]).ToArray());
        else
            SetInts(shape, map.Select(i => source.Ints![i]).ToArray());
    }

    /// <summary>Axes from an input (newer opsets) or the "axes" attribute (older ones); empty when neither is given.</summary>
    public long[] Axes(int inputIndex)
    {
        if (Node.Input(inputIndex) is not null)
            return (Const(inputIndex) ?? throw Fail("axes are not constant")).AsInt64s();
        return Node.GetInts("axes") ?? [];
    }

    public static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
