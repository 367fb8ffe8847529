using Analyzer.Onnx.Building;
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

    /// <summary>The masked tensors (data · mask) the constructor wrote, one per mask point.</summary>
    private readonly HashSet<string> applied = new();

    /// <param name="shapes">The model's inferred shapes, which say the element type of a tensor that crosses a cut
    /// (shape arithmetic is int64, activations float32); without them every crossing tensor is float32.</param>
    public LesionRewriter(OnnxModelFile file, IReadOnlyList<MaskPoint> points, Shapes.InferredShapes? shapes = null)
    {
        this.file = file;
        this.shapes = shapes;
        masked = file.Runnable.Clone();
        var graph = masked.Graph;
        var builder = new GraphBuilder(graph, file.Graph.OpsetVersion, (int)TensorProto.Types.DataType.Float, "analyzer_mask_");
        var original = graph.Node.ToList();
        graph.Node.Clear();
        graph.ValueInfo.Clear();
        firstNodeOf = new int[original.Count + 1];
        for (int i = 0; i < original.Count; i++)
        {
            firstNodeOf[i] = graph.Node.Count;
            var node = original[i];
            foreach (var point in points.Where(p => p.NodeIndex == i))
                applied.Add(node.Input[0] = InsertMask(builder, point, node.Input[0]));
            graph.Node.Add(node);
        }
        firstNodeOf[original.Count] = graph.Node.Count;
        foreach (var point in points)
            graph.Input.Add(GraphBuilder.Float32(point.MaskName, 2));
        GraphBuilder.SymbolicBatch(graph);
        Masks = points.Select(p => p.MaskName).ToArray();
    }

    /// <summary>Names of the mask inputs, in the order of the mask points.</summary>
    public IReadOnlyList<string> Masks { get; }

    public string DataInput => file.Graph.Inputs[0].Name;
    public string Output => file.Graph.Outputs[0].Name;

    /// <summary>The whole masked model: inputs are the model's data input and every mask.</summary>
    public RewrittenModel Full() => new(masked.ToByteArray(), [DataInput, .. Masks], [Output]);

    /// <summary>Writes data · mask (the mask spread over each unit's features, broadcast over positions) and returns
    /// the masked tensor's name.</summary>
    private static string InsertMask(GraphBuilder builder, MaskPoint point, string data)
    {
        string mask = point.MaskName, expanded = mask;
        if (point.FeatureUnits is { } featureUnits)
        {
            // One mask value per unit, spread over the unit's features.
            string indices = builder.Int64s(featureUnits.Select(u => (long)u).ToArray(), [featureUnits.Length], $"{mask}__feature_units");
            expanded = builder.Add("Gather", [mask, indices], $"{mask}__features", GraphBuilder.Int("axis", 1));
        }
        if (point.BatchAxis != 0)
        {
            // [N, C] -> [1, N, C] for a time-major [T, N, C] (units after the examples).
            if (point.BatchAxis > point.UnitAxis) throw new ArgumentException("units before the examples are not masked", nameof(point));
            expanded = builder.Unsqueeze(expanded, Enumerable.Range(0, point.Rank).Where(a => a != point.BatchAxis && a != point.UnitAxis).Select(a => (long)a).ToArray());
        }
        else if (point.Rank > 2)
        {
            // [N, C] -> [N, C, 1, 1, ...] (units on axis 1) or [N, 1, ..., C] (units on the last axis) to broadcast.
            long[] axes = point.UnitAxis == 1
                ? Enumerable.Range(2, point.Rank - 2).Select(a => (long)a).ToArray()
                : Enumerable.Range(1, point.Rank - 2).Select(a => (long)a).ToArray();
            expanded = builder.Unsqueeze(expanded, axes);
        }
        return builder.Add("Mul", [data, expanded], $"{mask}__applied");
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
        var prefixBuilder = Builder(prefix);
        foreach (var (name, alias) in aliasOf)
            prefixBuilder.Add("Cast", [name], alias, GraphBuilder.Int("to", (long)TensorProto.Types.DataType.Float));
        KeepInputs(prefix.Graph, prefixGraphInputs);
        prefix.Graph.Output.Clear();
        foreach (var name in prefixOutputs) prefix.Graph.Output.Add(GraphBuilder.Float32(Crossing(name), 0));

        var suffix = masked.Clone();
        suffix.Graph.Node.Clear();
        var suffixBuilder = Builder(suffix);
        foreach (var (name, alias) in aliasOf)
            suffixBuilder.Add("Cast", [alias], name, GraphBuilder.Int("to", (long)(shapes!.ConstantOf(name)!.ElementType == Model.TensorElementType.Bool
                ? TensorProto.Types.DataType.Bool : TensorProto.Types.DataType.Int64)));
        suffix.Graph.Node.AddRange(repeated.Select(i => graph.Node[i].Clone()));
        suffix.Graph.Node.AddRange(graph.Node.Skip(cut).Select(n => n.Clone()));
        KeepInputs(suffix.Graph, suffixGraphInputs);
        foreach (var name in frontier) suffix.Graph.Input.Add(GraphBuilder.Float32(Crossing(name), 0));

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

    /// <summary>A builder writing float32 nodes for this model's opset into <paramref name="part"/> of a cut.</summary>
    private GraphBuilder Builder(ModelProto part) =>
        new(part.Graph, file.Graph.OpsetVersion, (int)TensorProto.Types.DataType.Float, "analyzer_cut_");

    /// <summary>Names of the low-rank inputs of <see cref="LowRankConvSuffix"/>.</summary>
    public const string BaseOutput = "analyzer_y0", RemovedInputs = "analyzer_xu", RemovedWeights = "analyzer_wu";

    /// <summary>
    /// The part of the masked model after node <paramref name="readerNodeIndex"/>, fed by that node's output under its
    /// own name, with the later masks removed: the engine computes a dense reader's lesioned output itself (a rank-r
    /// update of the unlesioned one, RankUpdate in Analyzer.Kernels), stacked lesion-major
    /// into [lesions·rows, out], and this runs the rest of the model on it. Null when the node's output is the model's:
    /// nothing follows it.
    /// </summary>
    public RewrittenModel? AfterReader(int readerNodeIndex)
    {
        string readerOutput = masked.Graph.Node[firstNodeOf[readerNodeIndex + 1] - 1].Output[0];
        if (readerOutput == Output) return null;
        var suffix = ModelProto.Parser.ParseFrom(CutBefore(readerNodeIndex + 1).Suffix.Bytes);
        StripMasks(suffix.Graph);
        return new RewrittenModel(suffix.ToByteArray(), [.. InputsOf(suffix.Graph, suffix.Graph.Input)], [Output]);
    }

    /// <summary>ONNX Runtime's contrib operator domain, where FusedConv lives.</summary>
    private const string ContribDomain = "com.microsoft";

    /// <summary>Names of the extra inputs of <see cref="LowRankConvSuffix"/>: the target shapes of the two reshapes.</summary>
    public const string StackedShape = "analyzer_stacked_shape", FlatShape = "analyzer_flat_shape";

    /// <summary>
    /// The part of the masked model after conv node <paramref name="readerNodeIndex"/> (group 1), rebuilding its output: y0 [rows, C_out, h, w] is the unlesioned output;
    /// xu [rows, lesions·r, H, W] holds each lesion's removed input channels and wu [lesions·C_out, r, kh, kw] their
    /// kernels; a grouped conv (group = lesions, the reader's pads, strides and dilations) gives every lesion's
    /// removed contribution at once, which is subtracted lesion by lesion and stacked lesion-major into
    /// [lesions·rows, C_out, h, w]. The int64 inputs <see cref="StackedShape"/> = [rows, lesions, C_out, h, w] and
    /// <see cref="FlatShape"/> = [lesions·rows, C_out, h, w] drive the reshapes.
    /// </summary>
    public RewrittenModel LowRankConvSuffix(int readerNodeIndex, IReadOnlyList<(string Name, long[] Ints, string? Text)> convAttributes)
    {
        var int64 = (int)TensorProto.Types.DataType.Int64;
        var (suffix, target, kept) = LowRankBase(readerNodeIndex,
        [
            GraphBuilder.Float32(BaseOutput, 4), GraphBuilder.Float32(RemovedInputs, 4), GraphBuilder.Float32(RemovedWeights, 4),
            GraphBuilder.Value(StackedShape, int64, [$"{StackedShape}_rank"]), GraphBuilder.Value(FlatShape, int64, [$"{FlatShape}_rank"]),
        ]);
        var attributes = convAttributes.Select(a => a.Text is not null ? GraphBuilder.String(a.Name, a.Text)
            : a.Name == "group" ? GraphBuilder.Int(a.Name, a.Ints[0]) : GraphBuilder.Ints(a.Name, a.Ints)).ToArray();
        bool single = convAttributes.FirstOrDefault(a => a.Name == "group").Ints is [1];
        // A single lesion's y0 + conv(xu, −wu) feeding only an activation that ONNX Runtime's FusedConv applies: one
        // kernel computes activation(conv(xu, −wu) + y0), saving two passes over the reader's output.
        var readers = suffix.Graph.Node.Where(n => n.Input.Contains(target)).ToList();
        var fused = single && target != Output && readers is [{ Input.Count: 1 } activation] && suffix.Graph.Output.All(o => o.Name != target)
            && Operators.OperatorRegistry.Find(activation.OpType)?.Traits.FusesIntoConv == true ? readers[0] : null;
        if (fused is not null) suffix.Graph.Node.Remove(fused);
        WritePrelude(suffix, target, w =>
        {
            if (single)
            {
                // One lesion per run: y0 + conv(xu, −wu) needs no reshapes.
                string negated = w.Add("Neg", [RemovedWeights], "analyzer_negated_weights");
                if (fused is not null)
                {
                    w.Node("FusedConv", [RemovedInputs, negated, "", BaseOutput], [fused.Output[0]], "analyzer_fused_correction__node", ContribDomain,
                        [.. attributes, GraphBuilder.String("activation", fused.OpType)]);
                    return;
                }
                w.Add("Add", [w.Add("Conv", [RemovedInputs, negated], "analyzer_correction", attributes), BaseOutput], target);
                return;
            }
            string correction = w.Add("Conv", [RemovedInputs, RemovedWeights], "analyzer_correction", attributes);
            string stacked = w.Add("Reshape", [correction, StackedShape], "analyzer_stacked");
            string lesionMajor = w.Add("Transpose", [stacked], "analyzer_lesion_major", GraphBuilder.Ints("perm", [1, 0, 2, 3, 4]));
            w.Add("Reshape", [w.Add("Sub", [BaseOutput, lesionMajor], "analyzer_lesioned"), FlatShape], target);
        });
        return new RewrittenModel(suffix.ToByteArray(), [.. InputsOf(suffix.Graph, kept), BaseOutput, RemovedInputs, RemovedWeights, StackedShape, FlatShape],
            [Output]);
    }

    /// <summary>The suffix after a dense or conv reader with the reader's output replaced by <paramref name="inputs"/>;
    /// the name the rebuilt output must take, and the suffix's other inputs.</summary>
    private (ModelProto Suffix, string Target, List<ValueInfoProto> Kept) LowRankBase(int readerNodeIndex, IEnumerable<ValueInfoProto> inputs)
    {
        var cut = CutBefore(readerNodeIndex + 1);
        var suffix = ModelProto.Parser.ParseFrom(cut.Suffix.Bytes);
        var graph = suffix.Graph;
        string readerOutput = masked.Graph.Node[firstNodeOf[readerNodeIndex + 1] - 1].Output[0];
        string target = readerOutput == Output ? Output : readerOutput;
        StripMasks(graph);
        var kept = graph.Input.Where(v => v.Name != readerOutput).ToList();
        graph.Input.Clear();
        graph.Input.AddRange(kept);
        graph.Input.AddRange(inputs);
        return (suffix, target, kept);
    }

    /// <summary>
    /// Removes the masks of the node sets after the cut from a low-rank suffix: its lesions are all of the reader's node
    /// set, so every later mask is all ones, and applying it (spreading it over features, multiplying) only costs time
    /// (a fifth of the CNN's suffix). Each masked tensor's readers read the unmasked tensor again.
    /// </summary>
    private void StripMasks(GraphProto graph)
    {
        var derived = graph.Input.Select(v => v.Name).Where(Masks.Contains).ToHashSet();
        if (derived.Count == 0) return;
        var replaced = new Dictionary<string, string>();
        var kept = new List<NodeProto>();
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
                if (replaced.TryGetValue(node.Input[i], out var original)) node.Input[i] = original;
            int fromMask = node.Input.ToList().FindIndex(derived.Contains);
            if (fromMask < 0) { kept.Add(node); continue; }
            // The Mul that applies a mask (data first, by construction) gives way to its data; the nodes that spread
            // the mask over features and positions go.
            if (applied.Contains(node.Output[0])) replaced[node.Output[0]] = node.Input[0];
            else foreach (var output in node.Output) derived.Add(output);
        }
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        foreach (var output in graph.Output)
            if (replaced.TryGetValue(output.Name, out var original)) output.Name = original;
        var inputs = graph.Input.Where(v => !Masks.Contains(v.Name)).ToList();
        graph.Input.Clear();
        graph.Input.AddRange(inputs);
    }

    /// <summary>Writes the nodes that rebuild <paramref name="target"/> before the graph's own (which are dropped when the
    /// target is the model's output: nothing follows the reader).</summary>
    private void WritePrelude(ModelProto model, string target, Action<GraphBuilder> write)
    {
        var graph = model.Graph;
        List<NodeProto> rest = target == Output ? [] : graph.Node.ToList();
        graph.Node.Clear();
        write(new GraphBuilder(model, (int)TensorProto.Types.DataType.Float, "analyzer_lowrank_"));
        graph.Node.AddRange(rest);
    }

    /// <summary>The names of the kept inputs that are not initializers.</summary>
    private static IEnumerable<string> InputsOf(GraphProto graph, IEnumerable<ValueInfoProto> kept) =>
        kept.Where(v => !graph.Initializer.Any(t => t.Name == v.Name)).Select(v => v.Name);

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
}
