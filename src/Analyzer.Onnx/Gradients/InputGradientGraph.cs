using Analyzer.Onnx.Building;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Operators;
using Analyzer.Onnx.Protos;
using Analyzer.Onnx.Rewriting;
using Analyzer.Onnx.Shapes;
using Google.Protobuf;

namespace Analyzer.Onnx.Gradients;

/// <summary>
/// Builds, from a model, the ONNX graph of a feature-visualisation objective and its gradient with respect to the
/// model's input (docs/method.md §6), so that ONNX Runtime computes input gradients on any device without a training
/// framework. For targets t_1..t_m (pre-activation tensors [batch, C, spatial...] or [batch, C], or with the units on the
/// last axis, [batch, positions..., C], as a unit axis says) and one mask
/// [batch, C_i] per target, row n's objective is Σ_i Σ_c mask_i[n, c] Σ_space |t_i[n, c, ...]|. The graph returns that
/// objective [batch] and its gradient, the model's input shape; the backward half is written op by op as
/// vector-Jacobian products (each operator's rule in <see cref="OperatorRegistry"/>).
/// </summary>
public static class InputGradientGraph
{
    public const string ObjectiveOutput = "analyzer_objective", GradientOutput = "analyzer_input_gradient";

    /// <summary>The oldest opset whose operators the gradient graph can be written in (Sign, Where, ConstantOfShape). A
    /// model of an older opset (7, 8: CNTK, the older model zoo) gets its gradient graph written at this one, its own
    /// nodes carried over where their meaning is the same (<see cref="Raise"/>).</summary>
    public const long MinOpset = 9;

    /// <summary>Name of the mask input of target <paramref name="target"/>.</summary>
    public static string MaskInput(int target) => $"analyzer_objective_mask_{target}";

    /// <summary>Builds the graph; throws <see cref="ModelFormatException"/> naming an operator it cannot differentiate.</summary>
    /// <param name="withObjective">Also return the objective (<see cref="ObjectiveOutput"/>); the gradient alone is cheaper.</param>
    /// <param name="unitAxes">Per target, the axis of its units (1 when null).</param>
    public static RewrittenModel Build(OnnxModelFile file, InferredShapes shapes, IReadOnlyList<string> targets, bool withObjective = true,
        IReadOnlyList<int>? unitAxes = null)
    {
        var model = file.Runnable.Clone();
        var (inputs, outputs) = Write(file, model, shapes, targets, withObjective, dryRun: false, unitAxes);
        if (file.Graph.OpsetVersion < MinOpset)
            foreach (var import in model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx")) import.Version = MinOpset;
        return new RewrittenModel(model.ToByteArray(), inputs, outputs);
    }

    /// <summary>
    /// Whether the gradient graph of <paramref name="targets"/> can be built: null when it can, else the reason (one line
    /// naming the node, without the file). Writes the backward nodes without their large constants and without copying
    /// or serialising the model, so it is cheap even for large models.
    /// </summary>
    public static string? Check(OnnxModelFile file, InferredShapes shapes, IReadOnlyList<string> targets)
    {
        var model = new ModelProto { Graph = new GraphProto() };
        model.Graph.Node.AddRange(file.Runnable.Graph.Node.Select(n => n.Clone()));
        model.Graph.Input.AddRange(file.Runnable.Graph.Input.Select(v => v.Clone()));
        try
        {
            Write(file, model, shapes, targets, withObjective: false, dryRun: true, null);
            return null;
        }
        catch (ModelFormatException e)
        {
            string prefix = $"{file.Path}: ";
            return e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
        }
    }

    private static (IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs) Write(OnnxModelFile file, ModelProto model, InferredShapes shapes,
        IReadOnlyList<string> targets, bool withObjective, bool dryRun, IReadOnlyList<int>? unitAxes)
    {
        int UnitAxis(int t) => unitAxes?[t] ?? 1;
        var source = file.Graph;
        long opset = Math.Max(source.OpsetVersion, MinOpset);
        string input = source.Inputs[0].Name;
        var graph = model.Graph;
        if (graph.Node.Count != source.Nodes.Count)
            throw new InvalidOperationException("the decoded graph and the protobuf disagree on the node count");
        int elementType = graph.Input.First(v => v.Name == input).Type.TensorType.ElemType;
        var writer = new GraphBuilder(graph, opset, elementType, "analyzer_grad_", dryRun);
        if (source.OpsetVersion < MinOpset) Raise(graph, file.Path);

        var producer = new Dictionary<string, int>();
        for (int i = 0; i < source.Nodes.Count; i++)
            foreach (var output in source.Nodes[i].Outputs) producer[output] = i;
        foreach (var target in targets)
            if (!producer.ContainsKey(target))
                throw new ModelFormatException($"{file.Path}: '{target}' is not computed by any node of the model");

        var needed = Ancestors(source, producer, targets);
        var dependent = DependentTensors(source, shapes, input, needed);
        foreach (var target in targets.Where(t => !dependent.Contains(t)))
            throw new ModelFormatException($"{file.Path}: tensor '{target}' does not depend on the input '{input}'");

        // Forward half: the nodes the targets need, unchanged but for those whose gradient reads their indices (MaxPool),
        // which must also return them.
        var forward = new List<NodeProto>();
        var indicesOf = new Dictionary<int, string>();
        var fusedRelu = new Dictionary<int, string>(); // MaxPool node -> the input of the ReLU its gradient goes straight to
        var readers = needed.SelectMany(i => source.Nodes[i].Inputs).GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        for (int i = 0; i < source.Nodes.Count; i++)
        {
            if (!needed.Contains(i)) continue;
            var node = graph.Node[i];
            string? producerOp = node.Input.Count > 0 && producer.TryGetValue(node.Input[0], out int p) ? source.Nodes[p].OpType : null;
            bool usesIndices = OperatorRegistry.Find(node.OpType)?.Traits.GradientUsesIndices == true;
            bool byEquality = usesIndices && PoolingOperators.RoutesByEquality(source.Nodes[i], producerOp, shapes, source.OpsetVersion);
            // A ReLU read only by this pool needs no gradient of its own: the pool's routing can carry its mask too.
            if (byEquality && readers[node.Input[0]] == 1 && !targets.Contains(node.Input[0]))
                fusedRelu[i] = source.Nodes[producer[node.Input[0]]].Inputs[0];
            if (usesIndices && dependent.Contains(node.Output[0]) && !byEquality)
            {
                if (node.Output.Count < 2 || node.Output[1].Length == 0)
                {
                    if (node.Output.Count < 2) node.Output.Add("");
                    node.Output[1] = writer.Fresh("maxpool_indices");
                }
                indicesOf[i] = node.Output[1];
            }
            forward.Add(node);
        }
        graph.Node.Clear();
        graph.Node.AddRange(forward);
        graph.ValueInfo.Clear();

        // The objective and the gradient it seeds at each target.
        var gradients = new GradientAccumulator(writer);
        var objectives = new List<string>();
        for (int t = 0; t < targets.Count; t++)
        {
            string target = targets[t];
            int rank = shapes.ShapeOf(target).Length, unitAxis = UnitAxis(t);
            // The positions each unit's |values| are summed over: every axis but the batch and the units.
            long[] spatial = Enumerable.Range(1, Math.Max(0, rank - 1)).Where(a => a != unitAxis).Select(a => (long)a).ToArray();
            string abs = withObjective ? writer.Unary("Abs", target) : "";
            string perUnit = rank > 2 && withObjective ? writer.ReduceSum(abs, spatial, keepDims: false) : abs;
            if (withObjective) objectives.Add(writer.ReduceSum(writer.Binary("Mul", perUnit, MaskInput(t)), [1], keepDims: false));
            string mask = rank > 2 ? writer.Unsqueeze(MaskInput(t), spatial) : MaskInput(t);
            gradients.Add(target, writer.Binary("Mul", writer.Unary("Sign", target), mask));
        }
        if (withObjective) writer.Add(objectives.Count == 1 ? "Identity" : "Sum", objectives, ObjectiveOutput);

        // Backward half: every needed node in reverse order passes its outputs' gradient on to its dependent inputs.
        var context = new GradientContext(writer, shapes, file.Path, dependent, ShapeInference.BatchAxes(file.Graph));
        foreach (int i in needed.Where(i => source.Nodes[i].Inputs.Any(dependent.Contains)).OrderDescending())
        {
            var node = source.Nodes[i];
            var outputGradients = node.Outputs.Select(o => dependent.Contains(o) ? gradients.Take(o) : null).ToArray();
            if (outputGradients.All(g => g is null)) continue;
            var rule = OperatorRegistry.Find(node.OpType)?.Gradient
                ?? throw new ModelFormatException($"{file.Path}: node '{node.DisplayName}' ({node.OpType}): feature visualisation cannot differentiate it: "
                    + (OperatorRegistry.Find(node.OpType)?.GradientGap ?? "the operator is unknown"));
            foreach (var (tensor, gradient) in context.Backward(node, rule, outputGradients, indicesOf.GetValueOrDefault(i), fusedRelu.GetValueOrDefault(i)))
                gradients.Add(tensor, gradient);
        }
        string inputGradient = gradients.Take(input)
            ?? throw new ModelFormatException($"{file.Path}: the objective does not depend on the input '{input}'");
        writer.Add("Identity", [inputGradient], GradientOutput);

        SetInterface(graph, input, targets.Select((t, i) => (t, UnitAxis(i))).ToList(), shapes, elementType, withObjective);
        return ([input, .. targets.Select((_, t) => MaskInput(t))], withObjective ? [ObjectiveOutput, GradientOutput] : [GradientOutput]);
    }

    /// <summary>
    /// Carries an opset-7 or -8 graph's nodes over to opset 9, where the gradient graph is written: each operator whose
    /// form changed by then says how to rewrite a node (<see cref="OperatorTraits.RaiseToOpset9"/>, BatchNormalization's
    /// removed <c>spatial</c>), or why it cannot, which is refused by name.
    /// </summary>
    private static void Raise(GraphProto graph, string path)
    {
        foreach (var node in graph.Node.ToList())
            if (OperatorRegistry.Find(node.OpType)?.Traits.RaiseToOpset9?.Invoke(graph, node) is { } refusal)
                throw new ModelFormatException($"{path}: node '{node.Name}' ({node.OpType}): {refusal}, so feature visualisation, which is written at opset {MinOpset}, cannot run");
    }

    /// <summary>Indices of the nodes that the targets depend on.</summary>
    private static HashSet<int> Ancestors(OnnxGraph graph, Dictionary<string, int> producer, IEnumerable<string> targets)
    {
        var needed = new HashSet<int>();
        var stack = new Stack<string>(targets);
        while (stack.Count > 0)
        {
            if (!producer.TryGetValue(stack.Pop(), out int i) || !needed.Add(i)) continue;
            foreach (var input in graph.Nodes[i].Inputs.Where(n => n.Length > 0)) stack.Push(input);
        }
        return needed;
    }

    /// <summary>Floating-point tensors that vary with the input: the ones gradients flow through.</summary>
    private static HashSet<string> DependentTensors(OnnxGraph graph, InferredShapes shapes, string input, HashSet<int> needed)
    {
        var dependent = new HashSet<string> { input };
        foreach (var node in graph.Nodes.Where(n => needed.Contains(n.Index)))
        {
            var traits = OperatorRegistry.Find(node.OpType)?.Traits ?? OperatorTraits.None;
            if (traits.ReadsShapeOnly || !node.Inputs.Any(dependent.Contains)) continue;
            var outputs = traits.DifferentiableOutputs is { } count ? node.Outputs.Take(count) : node.Outputs;
            foreach (var output in outputs.Where(o => o.Length > 0 && !shapes.IsConstant(o))) dependent.Add(output);
        }
        return dependent;
    }

    private static void SetInterface(GraphProto graph, string input, IReadOnlyList<(string Tensor, int UnitAxis)> targets, InferredShapes shapes, int elementType,
        bool withObjective)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        var data = graph.Input.First(v => v.Name == input);
        var kept = graph.Input.Where(v => v.Name == input || initializers.Contains(v.Name)).ToList();
        graph.Input.Clear();
        graph.Input.AddRange(kept);
        graph.Output.Clear();
        GraphBuilder.SymbolicBatch(graph);
        for (int t = 0; t < targets.Count; t++)
            graph.Input.Add(GraphBuilder.Value(MaskInput(t), elementType, ["batch", shapes.ShapeOf(targets[t].Tensor)[targets[t].UnitAxis].ToString()]));
        if (withObjective) graph.Output.Add(GraphBuilder.Value(ObjectiveOutput, elementType, ["batch"]));
        var gradient = data.Clone();
        gradient.Name = GradientOutput;
        graph.Output.Add(gradient);
    }
}
