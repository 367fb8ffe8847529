using Analyzer.Onnx;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;

namespace Analyzer.Core.Graphs;

/// <summary>
/// Walks an ONNX graph in node order and follows every channel from the layer that produced it to the layers that read
/// it, through activations, pooling, BatchNorm, reshapes, transposes, Add and Concat (METHOD.md 1-2). BatchNorm and
/// constant per-channel scales met before a non-linearity scale the producing layer's output channel; met after one,
/// the reading layer's input channel.
/// </summary>
public static class NetworkTracer
{
    private static readonly HashSet<string> Nonlinearities =
    [
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "Softmax", "LogSoftmax", "Elu", "Selu", "Softplus", "Softsign",
        "HardSigmoid", "HardSwish", "PRelu", "LRN", "Gelu", "Mish", "Celu", "ThresholdedRelu", "Exp", "Log", "Abs", "Sqrt",
        "Erf", "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Neg",
    ];

    /// <summary>Channel-preserving operators that neither scale nor count as a non-linearity for BN folding (pooling is
    /// positively homogeneous, so a positive BN scale commutes with it).</summary>
    private static readonly HashSet<string> Transparent =
    [
        "Identity", "Dropout", "Cast", "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool",
        "GlobalLpPool", "Pad",
    ];

    private static readonly HashSet<string> Reshapes = ["Flatten", "Reshape", "Squeeze", "Unsqueeze"];

    public static NetworkTrace Trace(OnnxGraph graph) => Trace(graph, ShapeInference.Infer(graph));

    public static NetworkTrace Trace(OnnxGraph graph, InferredShapes shapes)
    {
        if (graph.Inputs.Count == 0)
            throw new ModelFormatException($"{graph.Path}: the graph has no inputs");
        var tracer = new Tracer(graph, shapes);
        foreach (var input in graph.Inputs)
            tracer.Provenance[input.Name] = TensorProvenance.ModelInput(shapes.ShapeOf(input.Name));
        foreach (var node in graph.Nodes)
            tracer.Visit(node);
        var outputs = graph.Outputs
            .Where(o => tracer.Provenance.ContainsKey(o.Name))
            .Select(o => (o.Name, tracer.Units(tracer.Provenance[o.Name])))
            .ToList();
        if (tracer.Layers.Count == 0)
            throw new ModelFormatException($"{graph.Path}: no layer with weights (Gemm, MatMul or Conv) was found");
        return new NetworkTrace(tracer.Layers, outputs, graph.Inputs[0].Name);
    }

    private sealed class Tracer(OnnxGraph graph, InferredShapes shapes)
    {
        public readonly Dictionary<string, TensorProvenance> Provenance = new();
        public readonly List<TracedLayer> Layers = new();
        private OnnxNode node = null!;

        private ModelFormatException Fail(string problem) => new($"{graph.Path}: node {node}: {problem}");

        public void Visit(OnnxNode n)
        {
            node = n;
            var dataInputs = n.Inputs.Where(i => i.Length > 0 && Provenance.ContainsKey(i)).ToList();
            if (dataInputs.Count == 0)
                return; // constant subgraph, folded by shape inference
            string op = n.OpType;
            var first = Provenance[dataInputs[0]];
            long[] outShape = n.Outputs.Count > 0 && shapes.Shapes.TryGetValue(n.Outputs[0], out var s) ? s : first.Shape;

            switch (op)
            {
                case "Conv" or "Gemm" or "MatMul":
                    Layer(first);
                    return;
                case "BatchNormalization":
                    Set(0, ScaleChannels(first, BatchNormScales()));
                    return;
                case "Mul" or "Div" when dataInputs.Count == 1:
                    Set(0, ScaleChannels(first, ConstantChannelScales(op == "Div")).WithShape(outShape));
                    return;
                case "Add" or "Sub" when dataInputs.Count == 1:
                    Set(0, first.WithShape(outShape)); // a bias: no change to where values come from
                    return;
                case "Add" or "Sum" or "Sub" or "Mean" when dataInputs.Count > 1:
                    Set(0, dataInputs.Skip(1).Aggregate(first, (acc, name) => Merge(acc, Provenance[name])));
                    return;
                case "Concat":
                    Set(0, Concat(dataInputs));
                    return;
                case "Transpose":
                    Set(0, Transpose(first));
                    return;
                case "Split":
                    Split(first);
                    return;
                case "Slice":
                    Set(0, SliceOf(first, outShape));
                    return;
            }
            if (Reshapes.Contains(op))
                Set(0, FromElementsChecked(first.Table, first.ElementMap(), outShape));
            else if (Nonlinearities.Contains(op))
                Set(0, first.MapOrigins(o => new ChannelOrigin(o.Terms.Select(t => t with { AfterNonlinearity = true }).ToArray(), o.InScale)).WithShape(outShape));
            else if (Transparent.Contains(op))
                Set(0, Pooled(first, outShape));
            else
                throw Fail("operator is not supported on the data path");
        }

        private void Set(int output, TensorProvenance p)
        {
            if (output < node.Outputs.Count && node.Outputs[output].Length > 0)
                Provenance[node.Outputs[output]] = p;
        }

        private TensorProvenance FromElementsChecked(ChannelOrigin[] table, int[] map, long[] shape)
        {
            if (TensorLayout.Count(shape) != map.Length)
                throw Fail($"output shape [{string.Join(", ", shape)}] does not hold the input's {map.Length} elements per example");
            return TensorProvenance.FromElements(table, map, shape);
        }

        private TensorProvenance Pooled(TensorProvenance p, long[] outShape)
        {
            if (p.PerChannel || TensorLayout.Count(outShape) == p.Map.Length)
                return p.WithShape(outShape);
            // Pooling before any layer (raw input): the pooled values are new input features.
            return TensorProvenance.ModelInput(outShape);
        }

        public ChannelOrigin[] Units(TensorProvenance p)
        {
            int[] map = p.PerChannel ? p.Map : p.ElementMap();
            return map.Select(i => p.Table[i]).ToArray();
        }

        private double[] BatchNormScales()
        {
            double eps = node.GetFloat("epsilon", 1e-5);
            double[] Param(int i, string what) =>
                shapes.ConstantOf(node.Input(i))?.AsDoubles() ?? throw Fail($"{what} is not a constant");
            double[] gamma = Param(1, "scale"), variance = Param(4, "variance");
            return gamma.Select((g, c) => g / Math.Sqrt(variance[c] + eps)).ToArray();
        }

        private double[] ConstantChannelScales(bool reciprocal)
        {
            var constant = node.Inputs.Select(shapes.ConstantOf).FirstOrDefault(c => c is not null)
                ?? throw Fail("expected one constant operand");
            long[] shape = shapes.ShapeOf(node.Inputs.First(i => !shapes.IsConstant(i)));
            int channels = shape.Length > 1 ? (int)shape[1] : (int)shape[0];
            double[] values = constant.AsDoubles();
            long[] full = TensorLayout.Broadcast(shape, constant.Shape) ?? throw Fail("constant does not broadcast");
            long[] index = TensorLayout.BroadcastIndex(constant.Shape, full);
            long inner = full.Length > 2 ? TensorLayout.Count(full.AsSpan(2)) : 1;
            var scales = new double[channels];
            for (long e = 0; e < index.Length; e++)
            {
                int c = (int)(e / inner % channels);
                double v = values[index[e]];
                if (e % inner == 0 && e / inner < channels) scales[c] = v;
                else if (v != scales[c])
                    throw Fail("multiplying by a constant that varies within a channel is not supported");
            }
            return reciprocal ? scales.Select(v => 1.0 / v).ToArray() : scales;
        }

        private static ChannelOrigin Scaled(ChannelOrigin o, double s) =>
            o.Terms.Any(t => t.AfterNonlinearity || t.Layer < 0)
                ? o with { InScale = o.InScale * s }
                : new ChannelOrigin(o.Terms.Select(t => t with { OutScale = t.OutScale * s }).ToArray(), o.InScale);

        private TensorProvenance ScaleChannels(TensorProvenance p, double[] scales)
        {
            if (scales.Length != p.Channels)
                throw Fail($"has {scales.Length} channel scales for {p.Channels} channels");
            if (p.PerChannel)
                return TensorProvenance.PerChannelOf(
                    Enumerable.Range(0, p.Channels).Select(c => Scaled(p.Table[p.Map[c]], scales[c])).ToArray(), p.Shape);
            var memo = new Dictionary<(int, int), int>();
            var table = new List<ChannelOrigin>();
            int[] elements = p.ElementMap();
            var map = new int[elements.Length];
            for (int e = 0; e < elements.Length; e++)
            {
                int c = p.ChannelOfElement(e);
                if (!memo.TryGetValue((elements[e], c), out int idx))
                {
                    idx = table.Count;
                    table.Add(Scaled(p.Table[elements[e]], scales[c]));
                    memo[(elements[e], c)] = idx;
                }
                map[e] = idx;
            }
            return TensorProvenance.FromElements(table.ToArray(), map, p.Shape);
        }

        private static ChannelOrigin Combine(ChannelOrigin a, ChannelOrigin b)
        {
            if (a.InScale == b.InScale)
                return new ChannelOrigin([.. a.Terms, .. b.Terms], a.InScale);
            // Branches scaled differently after their non-linearities: the scale belongs to each branch's terms.
            static IEnumerable<OriginTerm> Push(ChannelOrigin o) => o.Terms.Select(t => t with { OutScale = t.OutScale * o.InScale });
            return new ChannelOrigin([.. Push(a), .. Push(b)], 1.0);
        }

        private TensorProvenance Merge(TensorProvenance a, TensorProvenance b)
        {
            if (!a.Shape.SequenceEqual(b.Shape))
                throw Fail($"adds tensors of shapes [{string.Join(", ", a.Shape)}] and [{string.Join(", ", b.Shape)}]; only equal shapes are supported");
            if (a.PerChannel && b.PerChannel)
                return TensorProvenance.PerChannelOf(
                    Enumerable.Range(0, a.Channels).Select(c => Combine(a.Table[a.Map[c]], b.Table[b.Map[c]])).ToArray(), a.Shape);
            int[] ea = a.ElementMap(), eb = b.ElementMap();
            var memo = new Dictionary<(int, int), int>();
            var table = new List<ChannelOrigin>();
            var map = new int[ea.Length];
            for (int e = 0; e < ea.Length; e++)
            {
                if (!memo.TryGetValue((ea[e], eb[e]), out int idx))
                {
                    idx = table.Count;
                    table.Add(Combine(a.Table[ea[e]], b.Table[eb[e]]));
                    memo[(ea[e], eb[e])] = idx;
                }
                map[e] = idx;
            }
            return TensorProvenance.FromElements(table.ToArray(), map, a.Shape);
        }

        private TensorProvenance Concat(List<string> dataInputs)
        {
            if (node.Inputs.Any(i => i.Length > 0 && !Provenance.ContainsKey(i)))
                throw Fail("concatenating computed tensors with constants is not supported");
            var parts = dataInputs.Select(i => Provenance[i]).ToList();
            long[] outShape = shapes.ShapeOf(node.Outputs[0]);
            int axis = TensorLayout.Axis(node.GetInt("axis", 0), outShape.Length);
            var table = new List<ChannelOrigin>();
            var offsets = new List<int>();
            foreach (var p in parts)
            {
                offsets.Add(table.Count);
                table.AddRange(p.Table);
            }
            if (axis == 1 && parts.All(p => p.PerChannel))
                return new TensorProvenance(table.ToArray(),
                    parts.SelectMany((p, k) => p.Map.Select(i => i + offsets[k])).ToArray(), true, outShape);
            long outer = TensorLayout.Count(outShape.AsSpan(0, axis));
            var map = new List<int>();
            var elementMaps = parts.Select(p => p.ElementMap()).ToList();
            for (long o = 0; o < outer; o++)
                for (int k = 0; k < parts.Count; k++)
                {
                    long block = TensorLayout.Count(parts[k].Shape.AsSpan(axis));
                    for (long j = 0; j < block; j++) map.Add(elementMaps[k][o * block + j] + offsets[k]);
                }
            return TensorProvenance.FromElements(table.ToArray(), map.ToArray(), outShape);
        }

        private TensorProvenance Transpose(TensorProvenance p)
        {
            int rank = p.Shape.Length;
            int[] perm = node.GetInts("perm")?.Select(v => (int)v).ToArray() ?? Enumerable.Range(0, rank).Reverse().ToArray();
            long[] outShape = perm.Select(i => p.Shape[i]).ToArray();
            return TensorProvenance.FromElements(p.Table, TensorLayout.Transpose(p.ElementMap(), p.Shape, perm), outShape);
        }

        private TensorProvenance SliceOf(TensorProvenance p, long[] outShape)
        {
            // Slices of a computed tensor keep positions along each axis; derive them from the inferred output shape
            // and the starts/steps (constant inputs or, before opset 10, attributes).
            long[] starts, axes, steps;
            if (graph.OpsetVersion < 10)
            {
                starts = node.GetInts("starts")!;
                axes = node.GetInts("axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
                steps = Enumerable.Repeat(1L, starts.Length).ToArray();
            }
            else
            {
                starts = shapes.ConstantOf(node.Input(1))!.AsInt64s();
                axes = shapes.ConstantOf(node.Input(3))?.AsInt64s() ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
                steps = shapes.ConstantOf(node.Input(4))?.AsInt64s() ?? Enumerable.Repeat(1L, starts.Length).ToArray();
            }
            var begin = new long[p.Shape.Length];
            var step = Enumerable.Repeat(1L, p.Shape.Length).ToArray();
            for (int i = 0; i < starts.Length; i++)
            {
                int a = TensorLayout.Axis(axes[i], p.Shape.Length);
                long dim = p.Shape[a];
                long lo = starts[i] < 0 ? starts[i] + dim : starts[i];
                begin[a] = steps[i] > 0 ? Math.Clamp(lo, 0, dim) : Math.Clamp(lo, 0, dim - 1);
                step[a] = steps[i];
            }
            return Sliced(p, begin, step, outShape);
        }

        private void Split(TensorProvenance p)
        {
            int axis = TensorLayout.Axis(node.GetInt("axis", 0), p.Shape.Length);
            long offset = 0;
            for (int k = 0; k < node.Outputs.Count; k++)
            {
                long[] outShape = shapes.ShapeOf(node.Outputs[k]);
                var begin = new long[p.Shape.Length];
                begin[axis] = offset;
                Set(k, Sliced(p, begin, Enumerable.Repeat(1L, p.Shape.Length).ToArray(), outShape));
                offset += outShape[axis];
            }
        }

        private static TensorProvenance Sliced(TensorProvenance p, long[] begin, long[] step, long[] outShape)
        {
            int[] elements = p.ElementMap();
            var map = TensorLayout.SliceIndex(p.Shape, begin, step, outShape).Select(i => elements[i]).ToArray();
            return TensorProvenance.FromElements(p.Table, map, outShape);
        }

        private void Layer(TensorProvenance input)
        {
            string op = node.OpType;
            string dataName = node.Inputs[0];
            if (!Provenance.ContainsKey(dataName))
                throw Fail($"the first input '{dataName}' is a constant; expected the layer's activations there and its weights second");
            var weight = shapes.ConstantOf(node.Input(1))
                ?? throw Fail($"weight '{node.Input(1)}' is computed at run time; expected an initializer or constant");
            long[] outShape = shapes.ShapeOf(node.Outputs[0]);
            long[] inShape = input.Shape;
            double[] w = weight.AsDoubles();
            ChannelOrigin[] units;
            double[] unitWeights;
            int[]? featureUnits = null;
            int outputs;
            if (op == "Conv")
            {
                if (!input.PerChannel && input.Table.All(o => o.FromModelInput))
                    input = TensorProvenance.PerChannelOf(Enumerable.Range(0, (int)inShape[1])
                        .Select(c => new ChannelOrigin([new OriginTerm(-1, c, 1.0, false)], 1.0)).ToArray(), inShape);
                else if (!input.PerChannel)
                    throw Fail("its input channels are not uniform over space (a layout Analyzer cannot follow)");
                units = input.Map.Select(i => input.Table[i]).ToArray();
                outputs = (int)weight.Shape[0];
                int groupIn = (int)weight.Shape[1];
                int kernel = (int)TensorLayout.Count(weight.Shape.AsSpan(2));
                int perGroupOut = outputs / (int)node.GetInt("group", 1);
                unitWeights = new double[outputs * units.Length];
                for (int j = 0; j < outputs; j++)
                {
                    int g = j / perGroupOut;
                    for (int ci = 0; ci < groupIn; ci++)
                    {
                        double sum = 0;
                        int baseIndex = (j * groupIn + ci) * kernel;
                        for (int q = 0; q < kernel; q++) sum += Math.Abs(w[baseIndex + q]);
                        int unit = g * groupIn + ci;
                        unitWeights[j * units.Length + unit] = sum * Math.Abs(units[unit].InScale);
                    }
                }
            }
            else
            {
                if (inShape.Length != 2)
                    throw Fail($"input has shape [{string.Join(", ", inShape)}]; expected [batch, features]");
                if (op == "Gemm" && node.GetInt("transA", 0) != 0)
                    throw Fail("transA = 1 on the activations is not supported");
                int features = (int)inShape[1];
                bool transposed = op == "Gemm" && node.GetInt("transB", 0) != 0;
                outputs = (int)outShape[1];
                double alpha = op == "Gemm" ? Math.Abs(node.GetFloat("alpha", 1.0)) : 1.0;
                // Group the features by origin: a flattened conv feature map gives one unit per channel.
                int[] featureMap = input.PerChannel ? input.Map : input.ElementMap();
                var unitOfEntry = new Dictionary<int, int>();
                var featureUnit = new int[features];
                var unitList = new List<ChannelOrigin>();
                for (int f = 0; f < features; f++)
                {
                    if (!unitOfEntry.TryGetValue(featureMap[f], out int u))
                    {
                        u = unitList.Count;
                        unitOfEntry[featureMap[f]] = u;
                        unitList.Add(input.Table[featureMap[f]]);
                    }
                    featureUnit[f] = u;
                }
                units = unitList.ToArray();
                if (units.Length != features) featureUnits = featureUnit;
                unitWeights = new double[outputs * units.Length];
                for (int j = 0; j < outputs; j++)
                    for (int f = 0; f < features; f++)
                    {
                        double v = transposed ? w[j * features + f] : w[f * outputs + j];
                        unitWeights[j * units.Length + featureUnit[f]] += Math.Abs(v) * alpha;
                    }
                for (int j = 0; j < outputs; j++)
                    for (int u = 0; u < units.Length; u++)
                        unitWeights[j * units.Length + u] *= Math.Abs(units[u].InScale);
            }
            int index = Layers.Count;
            Layers.Add(new TracedLayer(index, node.DisplayName, op, node.Index, units, unitWeights, outputs, inShape, outShape, featureUnits));
            var origins = Enumerable.Range(0, outputs).Select(j => new ChannelOrigin([new OriginTerm(index, j, 1.0, false)], 1.0)).ToArray();
            Set(0, TensorProvenance.PerChannelOf(origins, outShape));
        }
    }
}
