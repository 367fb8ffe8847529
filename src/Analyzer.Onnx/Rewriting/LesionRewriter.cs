using Analyzer.Onnx.Protos;
using Google.Protobuf;

namespace Analyzer.Onnx.Rewriting;

/// <summary>
/// Rewrites a model once so that every analysable node set has a mask input (docs/method.md §6: a lesioned unit is zero where
/// its node set is read), with a symbolic batch dimension so that one session evaluates many masks per batch; and cuts
/// the rewritten model before a node so that the unchanged prefix runs once per example.
/// </summary>
public sealed class LesionRewriter
{
    private readonly OnnxModelFile file;
    private readonly ModelProto masked;
    private readonly int[] firstNodeOf; // original node index -> index in the masked node list of its first node

    private readonly Shapes.InferredShapes? shapes;

    /// <param name="shapes">The model's inferred shapes, which say the element type of a tensor that crosses a cut
    /// (shape arithmetic is int64, activations float32); without them every crossing tensor is float32.</param>
    public LesionRewriter(OnnxModelFile file, IReadOnlyList<MaskPoint> points, Shapes.InferredShapes? shapes = null)
    {
        this.file = file;
        this.shapes = shapes;
        masked = file.Runnable.Clone();
        var graph = masked.Graph;
        long opset = file.Graph.OpsetVersion;
        var original = graph.Node.ToList();
        graph.Node.Clear();
        graph.ValueInfo.Clear();
        firstNodeOf = new int[original.Count + 1];
        for (int i = 0; i < original.Count; i++)
        {
            firstNodeOf[i] = graph.Node.Count;
            var node = original[i];
            foreach (var point in points.Where(p => p.NodeIndex == i))
            {
                string applied = InsertMask(graph, point, node.Input[0], opset);
                node.Input[0] = applied;
            }
            graph.Node.Add(node);
        }
        firstNodeOf[original.Count] = graph.Node.Count;
        foreach (var point in points)
            graph.Input.Add(FloatInput(point.MaskName, 2));
        MakeBatchSymbolic(graph);
        Masks = points.Select(p => p.MaskName).ToArray();
    }

    /// <summary>Names of the mask inputs, in the order of the mask points.</summary>
    public IReadOnlyList<string> Masks { get; }

    public string DataInput => file.Graph.Inputs[0].Name;
    public string Output => file.Graph.Outputs[0].Name;

    /// <summary>The whole masked model: inputs are the model's data input and every mask.</summary>
    public RewrittenModel Full() => new(masked.ToByteArray(), [DataInput, .. Masks], [Output]);

    private static string InsertMask(GraphProto graph, MaskPoint point, string data, long opset)
    {
        string mask = point.MaskName, expanded = mask;
        if (point.FeatureUnits is { } featureUnits)
        {
            // One mask value per unit, spread over the unit's features.
            string indices = $"{mask}__feature_units";
            graph.Initializer.Add(Int64Tensor(indices, featureUnits.Select(u => (long)u).ToArray()));
            var gather = new NodeProto { OpType = "Gather", Name = $"{mask}__gather" };
            gather.Input.Add(mask);
            gather.Input.Add(indices);
            gather.Output.Add($"{mask}__features");
            gather.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
            graph.Node.Add(gather);
            expanded = $"{mask}__features";
        }
        if (point.Rank > 2)
        {
            // [N, C] -> [N, C, 1, 1, ...] (units on axis 1) or [N, 1, ..., C] (units on the last axis) to broadcast.
            long[] axes = point.UnitAxis == 1
                ? Enumerable.Range(2, point.Rank - 2).Select(a => (long)a).ToArray()
                : Enumerable.Range(1, point.Rank - 2).Select(a => (long)a).ToArray();
            var unsqueeze = new NodeProto { OpType = "Unsqueeze", Name = $"{mask}__unsqueeze" };
            unsqueeze.Input.Add(expanded);
            if (opset >= 13)
            {
                string axesName = $"{mask}__axes";
                graph.Initializer.Add(Int64Tensor(axesName, axes));
                unsqueeze.Input.Add(axesName);
            }
            else
            {
                var attribute = new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints };
                attribute.Ints.AddRange(axes);
                unsqueeze.Attribute.Add(attribute);
            }
            expanded = $"{mask}__expanded";
            unsqueeze.Output.Add(expanded);
            graph.Node.Add(unsqueeze);
        }
        string applied = $"{mask}__applied";
        var mul = new NodeProto { OpType = "Mul", Name = $"{mask}__mul" };
        mul.Input.Add(data);
        mul.Input.Add(expanded);
        mul.Output.Add(applied);
        graph.Node.Add(mul);
        return applied;
    }

    /// <summary>
    /// Cuts the masked model before original node <paramref name="nodeIndex"/> (its mask nodes go with the suffix).
    /// </summary>
    /// <param name="extraOutputs">Tensors the prefix must also return even when the suffix does not read them.</param>
    public ModelCut CutBefore(int nodeIndex, IReadOnlyList<string>? extraOutputs = null)
    {
        int cut = firstNodeOf[nodeIndex];
        var graph = masked.Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        var graphInputs = graph.Input.Select(v => v.Name).ToHashSet();
        var producedBefore = new Dictionary<string, int>();
        var prefixGraphInputs = new List<string> { DataInput };
        for (int i = 0; i < cut; i++)
        {
            foreach (var input in graph.Node[i].Input)
                if (graphInputs.Contains(input) && !initializers.Contains(input) && !prefixGraphInputs.Contains(input))
                    prefixGraphInputs.Add(input);
            foreach (var o in graph.Node[i].Output) producedBefore[o] = i;
        }
        // Tensors computed from initializers alone (exporters' Identity copies of shared weights, Constant nodes) have
        // no batch dimension: rather than crossing the cut, their nodes are repeated in the suffix.
        var dataIndependent = DataIndependentTensors(graph, cut, initializers);
        var frontier = new List<string>();
        var repeated = new SortedSet<int>();
        var suffixGraphInputs = new List<string>();
        for (int i = cut; i < graph.Node.Count; i++)
            foreach (var input in graph.Node[i].Input)
            {
                if (input.Length == 0 || initializers.Contains(input)) continue;
                if (dataIndependent.Contains(input)) AddProducers(input);
                else if (producedBefore.ContainsKey(input) && !frontier.Contains(input)) frontier.Add(input);
                else if (graphInputs.Contains(input) && !suffixGraphInputs.Contains(input)) suffixGraphInputs.Add(input);
            }

        void AddProducers(string tensor)
        {
            if (!producedBefore.TryGetValue(tensor, out int producer) || !repeated.Add(producer)) return;
            foreach (var input in graph.Node[producer].Input)
                if (input.Length > 0 && !initializers.Contains(input)) AddProducers(input);
        }

        // Shape arithmetic that crosses the cut (int64, batch-dependent at run time) travels as float32, which holds
        // such small integers exactly, and is cast back in the suffix: every value between the two halves is float32.
        var aliasOf = frontier.Where(IsIntegerTyped).ToDictionary(n => n, n => $"{n}__as_float");
        string Crossing(string name) => aliasOf.GetValueOrDefault(name, name);
        var prefixOutputs = frontier.Concat((extraOutputs ?? []).Where(e => producedBefore.ContainsKey(e) && !frontier.Contains(e))).ToList();
        var prefix = masked.Clone();
        prefix.Graph.Node.Clear();
        prefix.Graph.Node.AddRange(graph.Node.Take(cut).Select(n => n.Clone()));
        foreach (var (name, alias) in aliasOf)
            prefix.Graph.Node.Add(Cast(name, alias, TensorProto.Types.DataType.Float));
        KeepInputs(prefix.Graph, prefixGraphInputs);
        prefix.Graph.Output.Clear();
        foreach (var name in prefixOutputs) prefix.Graph.Output.Add(FloatInput(Crossing(name), 0));

        var suffix = masked.Clone();
        suffix.Graph.Node.Clear();
        foreach (var (name, alias) in aliasOf)
            suffix.Graph.Node.Add(Cast(alias, name, shapes!.ConstantOf(name)!.ElementType == Model.TensorElementType.Bool
                ? TensorProto.Types.DataType.Bool : TensorProto.Types.DataType.Int64));
        suffix.Graph.Node.AddRange(repeated.Select(i => graph.Node[i].Clone()));
        suffix.Graph.Node.AddRange(graph.Node.Skip(cut).Select(n => n.Clone()));
        KeepInputs(suffix.Graph, suffixGraphInputs);
        foreach (var name in frontier) suffix.Graph.Input.Add(FloatInput(Crossing(name), 0));

        var crossing = frontier.Select(Crossing).ToList();
        return new ModelCut(
            new RewrittenModel(prefix.ToByteArray(), prefixGraphInputs, prefixOutputs.Select(Crossing).ToList()),
            new RewrittenModel(suffix.ToByteArray(), [.. crossing, .. suffixGraphInputs], [Output]),
            crossing);
    }

    /// <summary>Outputs of the first <paramref name="count"/> nodes that depend on no graph input, only on initializers
    /// and constants (a node without inputs, like Constant, counts as data-independent).</summary>
    private static HashSet<string> DataIndependentTensors(GraphProto graph, int count, HashSet<string> initializers)
    {
        var result = new HashSet<string>();
        for (int i = 0; i < count; i++)
        {
            var node = graph.Node[i];
            if (node.Input.All(input => input.Length == 0 || initializers.Contains(input) || result.Contains(input)))
                foreach (var output in node.Output) result.Add(output);
        }
        return result;
    }

    /// <summary>Whether a tensor is shape arithmetic (an integer or boolean constant of the one-example inference).</summary>
    private bool IsIntegerTyped(string name) => shapes?.ConstantOf(name) is { IsFloatingPoint: false };

    private static NodeProto Cast(string input, string output, TensorProto.Types.DataType to)
    {
        var node = new NodeProto { OpType = "Cast", Name = $"{output}__cast" };
        node.Input.Add(input);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)to });
        return node;
    }

    /// <summary>Names of the inputs of <see cref="LowRankSuffix"/>.</summary>
    public const string BaseOutput = "analyzer_y0", RemovedInputs = "analyzer_xu", RemovedWeights = "analyzer_wu";

    /// <summary>
    /// The part of the masked model after dense node <paramref name="readerNodeIndex"/>, fed by that node's unlesioned
    /// output y0 [rows, out] and, per lesion, the removed inputs xu [lesions, rows, r] and their weights wu
    /// [lesions, r, out]: the node's output is rebuilt as y0 - xu·wu (a batched rank-r update), stacked
    /// lesion-major into [lesions·rows, out], and the rest of the model runs on it.
    /// </summary>
    public RewrittenModel LowRankSuffix(int readerNodeIndex)
    {
        var cut = CutBefore(readerNodeIndex + 1);
        var suffix = ModelProto.Parser.ParseFrom(cut.Suffix.Bytes);
        var graph = suffix.Graph;
        string readerOutput = masked.Graph.Node[firstNodeOf[readerNodeIndex + 1] - 1].Output[0];
        bool direct = readerOutput == Output;
        string target = direct ? Output : readerOutput;
        var kept = graph.Input.Where(v => v.Name != readerOutput).ToList();
        graph.Input.Clear();
        graph.Input.AddRange(kept);
        graph.Input.Add(FloatInput(BaseOutput, 2));
        graph.Input.Add(FloatInput(RemovedInputs, 3));
        graph.Input.Add(FloatInput(RemovedWeights, 3));
        // [lesions, rows, out] -> [lesions·rows, out], the width read from y0 (Reshape cannot infer two dimensions).
        var prelude = new List<NodeProto>
        {
            Node("MatMul", [RemovedInputs, RemovedWeights], ["analyzer_correction"]),
            Node("Sub", [BaseOutput, "analyzer_correction"], ["analyzer_lesioned"]),
            Node("Shape", [BaseOutput], ["analyzer_y0_shape"]),
            Node("Gather", ["analyzer_y0_shape", "analyzer_one"], ["analyzer_width"], ("axis", 0)),
            Node("Concat", ["analyzer_minus_one", "analyzer_width"], ["analyzer_flat"], ("axis", 0)),
            Node("Reshape", ["analyzer_lesioned", "analyzer_flat"], [target]),
        };
        graph.Initializer.Add(Int64Tensor("analyzer_one", [1]));
        graph.Initializer.Add(Int64Tensor("analyzer_minus_one", [-1]));
        var nodes = direct ? prelude : prelude.Concat(graph.Node).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        var inputs = kept.Where(v => !graph.Initializer.Any(t => t.Name == v.Name)).Select(v => v.Name)
            .Concat([BaseOutput, RemovedInputs, RemovedWeights]).ToList();
        return new RewrittenModel(suffix.ToByteArray(), inputs, [Output]);
    }

    /// <summary>Names of the extra inputs of <see cref="LowRankConvSuffix"/>: the target shapes of the two reshapes.</summary>
    public const string StackedShape = "analyzer_stacked_shape", FlatShape = "analyzer_flat_shape";

    /// <summary>
    /// Like <see cref="LowRankSuffix"/> for a conv reader (group 1): y0 [rows, C_out, h, w] is the unlesioned output;
    /// xu [rows, lesions·r, H, W] holds each lesion's removed input channels and wu [lesions·C_out, r, kh, kw] their
    /// kernels; a grouped conv (group = lesions, the reader's pads, strides and dilations) gives every lesion's
    /// removed contribution at once, which is subtracted lesion by lesion and stacked lesion-major into
    /// [lesions·rows, C_out, h, w]. The int64 inputs <see cref="StackedShape"/> = [rows, lesions, C_out, h, w] and
    /// <see cref="FlatShape"/> = [lesions·rows, C_out, h, w] drive the reshapes.
    /// </summary>
    public RewrittenModel LowRankConvSuffix(int readerNodeIndex, IReadOnlyList<(string Name, long[] Ints, string? Text)> convAttributes)
    {
        var cut = CutBefore(readerNodeIndex + 1);
        var suffix = ModelProto.Parser.ParseFrom(cut.Suffix.Bytes);
        var graph = suffix.Graph;
        string readerOutput = masked.Graph.Node[firstNodeOf[readerNodeIndex + 1] - 1].Output[0];
        string target = readerOutput == Output ? Output : readerOutput;
        var kept = graph.Input.Where(v => v.Name != readerOutput).ToList();
        graph.Input.Clear();
        graph.Input.AddRange(kept);
        graph.Input.Add(FloatInput(BaseOutput, 4));
        graph.Input.Add(FloatInput(RemovedInputs, 4));
        graph.Input.Add(FloatInput(RemovedWeights, 4));
        graph.Input.Add(Int64Input(StackedShape));
        graph.Input.Add(Int64Input(FlatShape));
        var conv = Node("Conv", [RemovedInputs, RemovedWeights], ["analyzer_correction"]);
        foreach (var (name, ints, text) in convAttributes)
        {
            var attribute = new AttributeProto { Name = name };
            if (text is not null)
            {
                attribute.Type = AttributeProto.Types.AttributeType.String;
                attribute.S = ByteString.CopyFromUtf8(text);
            }
            else if (name == "group")
            {
                attribute.Type = AttributeProto.Types.AttributeType.Int;
                attribute.I = ints[0];
            }
            else
            {
                attribute.Type = AttributeProto.Types.AttributeType.Ints;
                attribute.Ints.AddRange(ints);
            }
            conv.Attribute.Add(attribute);
        }
        var transpose = Node("Transpose", ["analyzer_stacked"], ["analyzer_lesion_major"]);
        transpose.Attribute.Add(new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 0, 2, 3, 4 } });
        var prelude = new List<NodeProto>
        {
            conv,
            Node("Reshape", ["analyzer_correction", StackedShape], ["analyzer_stacked"]),
            transpose,
            Node("Sub", [BaseOutput, "analyzer_lesion_major"], ["analyzer_lesioned"]),
            Node("Reshape", ["analyzer_lesioned", FlatShape], [target]),
        };
        var nodes = target == Output ? prelude : prelude.Concat(graph.Node).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        var inputs = kept.Where(v => !graph.Initializer.Any(t => t.Name == v.Name)).Select(v => v.Name)
            .Concat([BaseOutput, RemovedInputs, RemovedWeights, StackedShape, FlatShape]).ToList();
        return new RewrittenModel(suffix.ToByteArray(), inputs, [Output]);
    }

    private static ValueInfoProto Int64Input(string name)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Int64, Shape = new TensorShapeProto() };
        tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = $"{name}_rank" });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, (string Name, long Value)? attribute = null)
    {
        var node = new NodeProto { OpType = op, Name = $"analyzer_{op.ToLowerInvariant()}_{outputs[0]}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        if (attribute is { } a)
            node.Attribute.Add(new AttributeProto { Name = a.Name, Type = AttributeProto.Types.AttributeType.Int, I = a.Value });
        return node;
    }

    /// <summary>Keeps the graph inputs named in <paramref name="keep"/> and the initializers its nodes read (each half
    /// of a cut carries only its own weights, not a copy of the whole model's).</summary>
    private static void KeepInputs(GraphProto graph, IReadOnlyCollection<string> keep)
    {
        // A node with a subgraph may read outer initializers by name: then every initializer stays.
        if (!graph.Node.Any(n => n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0)))
        {
            var read = graph.Node.SelectMany(n => n.Input).ToHashSet();
            var used = graph.Initializer.Where(t => read.Contains(t.Name)).ToList();
            graph.Initializer.Clear();
            graph.Initializer.AddRange(used);
        }
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        var kept = graph.Input.Where(v => keep.Contains(v.Name) || initializers.Contains(v.Name)).ToList();
        graph.Input.Clear();
        graph.Input.AddRange(kept);
    }

    private static void MakeBatchSymbolic(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        foreach (var value in graph.Input.Where(v => !initializers.Contains(v.Name)).Concat(graph.Output))
        {
            var shape = value.Type?.TensorType?.Shape;
            if (shape is { Dim.Count: > 0 })
                shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
        }
    }

    /// <summary>A float32 value with the given rank (all dimensions symbolic), or with no shape when rank is 0.</summary>
    private static ValueInfoProto FloatInput(string name, int rank)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
        if (rank > 0)
        {
            tensor.Shape = new TensorShapeProto();
            for (int i = 0; i < rank; i++)
                tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = i == 0 ? "batch" : $"{name}_{i}" });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    private static TensorProto Int64Tensor(string name, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }
}
