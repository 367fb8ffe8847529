using Analyzer.Onnx.Building;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// What a gradient rule sees of one node: the writer that appends backward nodes, the forward shapes and constants,
/// which tensors vary with the model's input, and the gradients that reached the node's outputs.
/// </summary>
internal sealed class GradientContext(GraphBuilder writer, InferredShapes shapes, string modelPath, HashSet<string> dependent,
    IReadOnlyDictionary<string, int>? batchAxes = null)
{
    /// <summary>The axis of <paramref name="tensor"/> that holds the examples (<see cref="ShapeInference.BatchAxes"/>).</summary>
    public int BatchAxis(string tensor) => batchAxes?.GetValueOrDefault(tensor, 0) ?? 0;

    private string?[] outputGradients = [];

    public GraphBuilder W => writer;
    public InferredShapes Shapes => shapes;
    public OnnxNode Node { get; private set; } = null!;

    /// <summary>For MaxPool: the name of its indices output (null: routed by equality).</summary>
    public string? Indices { get; private set; }

    /// <summary>For a MaxPool routed by equality over a ReLU that only it reads: the ReLU's input, which then receives the
    /// gradient directly (the ReLU itself gets none).</summary>
    public string? ReluInput { get; private set; }

    public IEnumerable<(string Tensor, string Gradient)> Backward(OnnxNode node, GradientRule rule, string?[] gradients, string? indices, string? reluInput)
    {
        Node = node;
        outputGradients = gradients;
        Indices = indices;
        ReluInput = reluInput;
        return rule(this).ToList();
    }

    /// <summary>The data input (input 0).</summary>
    public string X => Node.Inputs[0];
    public string Y => Node.Outputs[0];

    /// <summary>The gradient reaching output <paramref name="output"/>, which must exist.</summary>
    public string G(int output = 0) => outputGradients[output] ?? throw Fail("internal: missing output gradient");

    /// <summary>The gradient reaching output <paramref name="output"/>, or null when none does.</summary>
    public string? GradientOf(int output) => output < outputGradients.Length ? outputGradients[output] : null;

    public int OutputCount => outputGradients.Length;

    public bool IsDependent(string? tensor) => tensor is not null && dependent.Contains(tensor);

    public long[] ShapeOf(string tensor) => shapes.ShapeOf(tensor);

    public ModelFormatException Fail(string problem) =>
        new($"{modelPath}: node '{Node.DisplayName}' ({Node.OpType}): cannot build its gradient: {problem}");

    /// <summary>Fails unless the given inputs are constants (weights are never differentiated).</summary>
    public void RequireConstant(params int[] inputs)
    {
        foreach (int i in inputs)
            if (Node.Input(i) is { } name && dependent.Contains(name))
                throw Fail($"input {i} ('{name}') varies with the model's input; only data inputs are differentiated");
    }

    /// <summary>A constant input's values (small tensors only: BatchNorm parameters, clip bounds).</summary>
    public double[] Constant(int input) =>
        shapes.ConstantOf(Node.Input(input))?.AsDoubles() ?? throw Fail($"input {input} is not a constant");

    public OnnxTensor? ConstantTensor(int input) => shapes.ConstantOf(Node.Input(input));

    /// <summary>Multiplies the output gradient by a local derivative: [(x, g · derivative)].</summary>
    public IEnumerable<(string, string)> Chain(string derivative) => [(X, W.Binary("Mul", G(), derivative))];

    /// <summary>Sums a gradient of the broadcast output shape back to <paramref name="input"/>'s shape.</summary>
    public string ReduceTo(string gradient, long[] outputShape, string input)
    {
        long[] inputShape = shapes.ShapeOf(input);
        int lead = outputShape.Length - inputShape.Length;
        var axes = new List<long>();
        for (int a = 0; a < outputShape.Length; a++)
        {
            long size = a < lead ? 1 : inputShape[a - lead];
            if (a < lead || (size == 1 && outputShape[a] != 1)) axes.Add(a);
        }
        if (axes.Count == 0) return gradient;
        return W.ReshapeLike(W.ReduceSum(gradient, axes.ToArray(), keepDims: true), input);
    }

    public int Axis(long axis, string tensor) => TensorLayout.Axis(axis, shapes.ShapeOf(tensor).Length);
}
