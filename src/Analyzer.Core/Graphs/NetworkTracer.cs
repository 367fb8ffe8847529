using Analyzer.Onnx;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Operators;
using Analyzer.Onnx.Shapes;

namespace Analyzer.Core.Graphs;

/// <summary>
/// Walks an ONNX graph in node order and follows every unit from the layer that produced it to the layers that read
/// it (docs/method.md §1-2), doing at each node what its operator's <see cref="ChannelFlow"/> says: through
/// activations, pools, reshapes, transposes, slices, sums and concatenations; BatchNorm and constant per-unit scales met
/// before a non-linearity scale the producing layer's output unit, met after one the reading layer's input unit; gates
/// (x·g) and normalisations are non-linearities; attention (a product of two activations) and statistics of the
/// example carry no units.
/// </summary>
public static class NetworkTracer
{
    public static NetworkTrace Trace(OnnxGraph graph) => Trace(graph, ShapeInference.Infer(graph));

    public static NetworkTrace Trace(OnnxGraph graph, InferredShapes shapes)
    {
        if (graph.Inputs.Count == 0)
            throw new ModelFormatException($"{graph.Path}: the graph has no inputs");
        var tracer = new Tracer(graph, shapes);
        foreach (var input in graph.Inputs)
            tracer.Provenance[input.Name] = TensorProvenance.ModelInput(shapes.ShapeOf(input.Name));
        // A tensor's origins are dropped once its last reader is traced: element-level maps of large feature maps
        // would otherwise all stay alive until the end.
        var readers = new Dictionary<string, int>();
        foreach (var node in graph.Nodes)
            foreach (var input in node.Inputs.Where(i => i.Length > 0)) readers[input] = readers.GetValueOrDefault(input) + 1;
        var outputNames = graph.Outputs.Select(o => o.Name).ToHashSet();
        foreach (var node in graph.Nodes)
        {
            tracer.Visit(node);
            foreach (var input in node.Inputs.Where(i => i.Length > 0))
                if (--readers[input] == 0 && !outputNames.Contains(input)) tracer.Provenance.Remove(input);
        }
        var outputs = graph.Outputs
            .Where(o => tracer.Provenance.ContainsKey(o.Name))
            .Select(o => (o.Name, tracer.Units(tracer.Provenance[o.Name])))
            .ToList();
        if (tracer.Layers.Count == 0)
            throw new ModelFormatException($"{graph.Path}: no layer with weights (Gemm, MatMul or Conv) was found");
        return new NetworkTrace(tracer.Layers, outputs, graph.Inputs[0].Name, tracer.HasAttention);
    }

    private sealed class Tracer(OnnxGraph graph, InferredShapes shapes)
    {
        public readonly Dictionary<string, TensorProvenance> Provenance = new();
        public readonly List<TracedLayer> Layers = new();
        public bool HasAttention { get; private set; }
        private readonly Dictionary<string, OnnxNode> producer = graph.Nodes.SelectMany(n => n.Outputs.Select(o => (o, n)))
            .Where(p => p.o.Length > 0).GroupBy(p => p.o).ToDictionary(g => g.Key, g => g.First().n);
        private OnnxNode node = null!;

        private ModelFormatException Fail(string problem) => new($"{graph.Path}: node {node}: {problem}");

        public void Visit(OnnxNode n)
        {
            node = n;
            var dataInputs = n.Inputs.Where(i => i.Length > 0 && Provenance.ContainsKey(i)).ToList();
            if (dataInputs.Count == 0)
                return; // constant subgraph, folded by shape inference
            if (n.Outputs.Where(o => o.Length > 0).All(shapes.IsConstant))
                return; // shape arithmetic on activations (Shape, Size): folded by shape inference
            var definition = OperatorRegistry.Find(n.OpType) ?? throw Fail("operator is not supported");
            if (definition.Traits.LooksUp && !Provenance.ContainsKey(n.Inputs[0]))
            {
                // An embedding: a constant table read at indices the input gives (token ids). The table's rows are not
                // units; the vectors looked up are the model's input as the network reads it (docs/method.md §1).
                Set(0, TensorProvenance.ModelInput(OutputShape(0)));
                return;
            }
            var first = Provenance[dataInputs[0]];
            long[] outShape = OutputShape(0);

            switch (definition.Flow)
            {
                case ChannelFlow.ShapeOnly or ChannelFlow.Opaque:
                    SetAllNone();
                    return;
                case ChannelFlow.Layer:
                    Layer(definition, dataInputs);
                    return;
                case ChannelFlow.Activation:
                    Set(0, Activated(first).WithShape(outShape));
                    return;
                case ChannelFlow.Transparent:
                    Set(0, Pooled(first, outShape));
                    return;
                case ChannelFlow.Rearrange:
                    Set(0, definition.SourceIndex(n, shapes) is { } index
                        ? first.Reindexed(index, outShape)
                        : FromElementsChecked(first.Table, first.ElementMap(), outShape));
                    return;
                case ChannelFlow.Select:
                    Select(definition);
                    return;
                case ChannelFlow.Scale:
                {
                    var scale = definition.Scales(n, shapes);
                    Set(0, ScaleBy(first, scale.Shape, scale.Values, outShape));
                    return;
                }
                case ChannelFlow.Normalize:
                {
                    var scale = definition.Scales(n, shapes);
                    Set(0, ScaleBy(Normalised(first), scale.Shape, scale.Values, outShape));
                    return;
                }
                case ChannelFlow.Reduce:
                    Set(0, Reduced(first, definition.Axes(n, shapes), outShape));
                    return;
                case ChannelFlow.Elementwise:
                    Set(0, Elementwise(definition.Traits.Arithmetic, dataInputs, outShape));
                    return;
                default:
                    throw Fail($"channel flow {definition.Flow} is not handled");
            }
        }

        private long[] OutputShape(int output) =>
            output < node.Outputs.Count && shapes.Shapes.TryGetValue(node.Outputs[output], out var s) ? s : [];

        private void Set(int output, TensorProvenance p)
        {
            if (output < node.Outputs.Count && node.Outputs[output].Length > 0 && !shapes.IsConstant(node.Outputs[output]))
                Provenance[node.Outputs[output]] = p;
        }

        private void SetAllNone()
        {
            for (int o = 0; o < node.Outputs.Count; o++)
                if (node.Outputs[o].Length > 0 && shapes.Shapes.ContainsKey(node.Outputs[o]))
                    Set(o, TensorProvenance.None(OutputShape(o)));
        }

        private TensorProvenance FromElementsChecked(ChannelOrigin[] table, int[] map, long[] shape)
        {
            if (TensorLayout.Count(shape) != map.Length)
                throw Fail($"output shape [{string.Join(", ", shape)}] does not hold the input's {map.Length} elements per example");
            return TensorProvenance.FromElements(table, map, shape);
        }

        private TensorProvenance Pooled(TensorProvenance p, long[] outShape)
        {
            if ((p.PerChannel && p.Map.Length == p.Channels) || TensorLayout.Count(outShape) == p.Map.Length)
                return p.WithShape(outShape);
            if (p.Table.All(o => o.IsNone)) return TensorProvenance.None(outShape);
            if (p.Table.All(o => o.FromModelInput))
                return TensorProvenance.ModelInput(outShape); // pooling the raw input: the pooled values are new input features
            throw Fail($"its input of shape [{string.Join(", ", p.Shape)}] is not uniform over its channels (a layout Analyzer cannot follow through it)");
        }

        public ChannelOrigin[] Units(TensorProvenance p)
        {
            int[] map = p.PerChannel && p.Map.Length == p.Channels ? p.Map : p.ElementMap();
            return map.Select(i => p.Table[i]).ToArray();
        }

        private static ChannelOrigin Activated(ChannelOrigin o) =>
            o.IsNone ? o : new ChannelOrigin(o.Terms.Select(t => t with { AfterNonlinearity = true }).ToArray(), o.InScale, Activated: true);

        private static TensorProvenance Activated(TensorProvenance p) => p.MapOrigins(Activated);

        /// <summary>A normalisation across units (LayerNorm, GroupNorm): a non-linearity, but no privileged basis.</summary>
        private static TensorProvenance Normalised(TensorProvenance p) =>
            p.MapOrigins(o => o.IsNone ? o : new ChannelOrigin(o.Terms.Select(t => t with { AfterNonlinearity = true }).ToArray(), o.InScale));

        private static ChannelOrigin Scaled(ChannelOrigin o, double s) =>
            o.IsNone ? o
            : o.Terms.Any(t => t.AfterNonlinearity || t.Layer < 0)
                ? o with { InScale = o.InScale * s }
                : new ChannelOrigin(o.Terms.Select(t => t with { OutScale = t.OutScale * s }).ToArray(), o.InScale, o.Activated);

        private static TensorProvenance ScaleBy(TensorProvenance p, long[] valueShape, double[] values, long[] outShape) =>
            TensorProvenance.WithValues(p, valueShape, values, outShape, Scaled);

        // ---- sums, products, gates -------------------------------------------------------------------------------

        private TensorProvenance Elementwise(ArithmeticKind? kind, List<string> dataInputs, long[] outShape)
        {
            var constants = node.Inputs.Where(i => i.Length > 0 && !Provenance.ContainsKey(i)).ToList();
            var first = Provenance[dataInputs[0]];
            if (dataInputs.Count == 1)
            {
                if (kind is ArithmeticKind.Sum or ArithmeticKind.Difference)
                    return first.BroadcastTo(outShape); // a shift: no change to where values come from
                var constant = shapes.ConstantOf(constants.FirstOrDefault()) ?? throw Fail("expected one constant operand");
                if (kind is ArithmeticKind.Product)
                    return ScaleBy(first, constant.Shape, constant.AsDoubles(), outShape);
                if (kind is ArithmeticKind.Quotient && node.Inputs[0] == dataInputs[0])
                    return ScaleBy(first, constant.Shape, constant.AsDoubles().Select(v => 1 / v).ToArray(), outShape);
                if (kind is ArithmeticKind.Mean)
                    return ScaleBy(first, [], [1.0 / node.Inputs.Count(i => i.Length > 0)], outShape);
                // Pow(x, e), constant / x, clamps (Max, Min with a constant): non-linear in x.
                return Activated(first).BroadcastTo(outShape);
            }
            var parts = dataInputs.Select(i => Provenance[i]).ToList();
            switch (kind)
            {
                case ArithmeticKind.Sum or ArithmeticKind.Difference:
                    return parts.Skip(1).Aggregate(first, (acc, p) => TensorProvenance.Zip(acc, p, outShape, Combine));
                case ArithmeticKind.Mean:
                    return ScaleBy(parts.Skip(1).Aggregate(first, (acc, p) => TensorProvenance.Zip(acc, p, outShape, Combine)),
                        [], [1.0 / parts.Count], outShape);
                case ArithmeticKind.Product or ArithmeticKind.Quotient:
                {
                    double gate = dataInputs.Count == 2 ? SelfGateLimit(dataInputs[0], dataInputs[1]) : 1;
                    bool divide = kind == ArithmeticKind.Quotient;
                    return TensorProvenance.Zip(first, parts[1], outShape, (a, b) => Product(a, b, divide, gate));
                }
                default: // Max, Min, Pow of two activations
                    return parts.Skip(1).Aggregate(first, (acc, p) => TensorProvenance.Zip(acc, p, outShape, (a, b) => Product(a, b, false, 1)));
            }
        }

        private static ChannelOrigin Combine(ChannelOrigin a, ChannelOrigin b)
        {
            if (a.IsNone) return b;
            if (b.IsNone) return a;
            if (a.InScale == b.InScale)
                return new ChannelOrigin([.. a.Terms, .. b.Terms], a.InScale);
            // Branches scaled differently after their non-linearities: the scale belongs to each branch's terms.
            static IEnumerable<OriginTerm> Push(ChannelOrigin o) => o.Terms.Select(t => t with { OutScale = t.OutScale * o.InScale });
            return new ChannelOrigin([.. Push(a), .. Push(b)], 1.0);
        }

        /// <summary>
        /// A product of two activations, a non-linearity (docs/method.md §2, gates): the units of both factors, each
        /// once (a unit in both factors keeps the scale it has where it is not yet past a non-linearity: x in x·g(x)),
        /// all now past a non-linearity; the factors' after-scales multiply, and a self-gate's limit
        /// <paramref name="gate"/> normalises it.
        /// </summary>
        private static ChannelOrigin Product(ChannelOrigin a, ChannelOrigin b, bool divide, double gate)
        {
            if (a.IsNone && b.IsNone) return a;
            var terms = new List<OriginTerm>();
            foreach (var t in a.Terms.Concat(b.Terms))
            {
                int same = terms.FindIndex(u => u.Layer == t.Layer && u.Unit == t.Unit);
                if (same < 0) terms.Add(t);
                else if (terms[same].AfterNonlinearity && !t.AfterNonlinearity) terms[same] = t;
            }
            double scale = (divide ? a.InScale / b.InScale : a.InScale * b.InScale) * gate;
            // A product with a statistic of the example (LayerNorm written out: (x - μ) / σ) normalises, which is a
            // non-linearity but gives no privileged basis; a product of two units' values is a gate.
            bool gated = !a.IsNone && !b.IsNone;
            return new ChannelOrigin(terms.Select(t => t with { AfterNonlinearity = true }).ToArray(), scale, Activated: gated);
        }

        /// <summary>
        /// For a self-gate x·g(x) (SiLU, GELU written out, HardSwish as x·HardSigmoid(x)), g's value for large x, so that
        /// the activation counts with unit slope wherever it is written out (GELU as x·(1 + erf(x/√2))·0.5 and as Gelu
        /// give the same graph; docs/method.md §2). 1 when neither factor is an elementwise function of the other.
        /// </summary>
        private double SelfGateLimit(string a, string b) => GateLimit(a, b) ?? GateLimit(b, a) ?? 1;

        private double? GateLimit(string x, string gate)
        {
            var chain = new List<OnnxNode>();
            string current = gate;
            while (current != x)
            {
                if (!producer.TryGetValue(current, out var n) || chain.Count > 16) return null;
                var definition = OperatorRegistry.Find(n.OpType);
                var data = n.Inputs.Where(i => i.Length > 0 && !shapes.IsConstant(i)).ToList();
                if (definition is null || data.Count != 1 || (!definition.HasScalarFunction && definition.Flow != ChannelFlow.Transparent)
                    || n.Inputs.Any(i => i.Length > 0 && shapes.ConstantOf(i) is { ElementCount: > 1 }))
                    return null;
                chain.Add(n);
                current = data[0];
            }
            double value = 1e3;
            for (int k = chain.Count - 1; k >= 0; k--)
            {
                var n = chain[k];
                var definition = OperatorRegistry.Find(n.OpType)!;
                if (!definition.HasScalarFunction) continue; // Identity, Cast
                var operands = n.Inputs.Select(i => i.Length == 0 ? double.NaN
                    : shapes.ConstantOf(i) is { } c ? c.AsDoubles()[0] : value).ToArray();
                value = definition.Evaluate(n, operands);
            }
            return double.IsFinite(value) && value != 0 ? value : null;
        }

        // ---- reductions ------------------------------------------------------------------------------------------

        /// <summary>Along axes where every output element's inputs share one origin, a reduction passes it on (a pool);
        /// elsewhere the result is a statistic of the example with no units of its own.</summary>
        private TensorProvenance Reduced(TensorProvenance p, int[] axes, long[] outShape)
        {
            if (axes.Length == 0) return p.WithShape(outShape);
            if (p.PerChannel && p.Map.Length == p.Channels && p.Shape.Length > 1 && !axes.Contains(0) && !axes.Contains(1))
                return new TensorProvenance(p.Table, p.Map, true, outShape);
            long[] shape = p.Shape;
            long[] kept = shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
            long[] keptStrides = TensorLayout.Strides(kept);
            int[] elements = p.ElementMap();
            var entry = Enumerable.Repeat(-1, (int)TensorLayout.Count(kept)).ToArray();
            var index = new long[shape.Length];
            for (long e = 0; e < elements.Length; e++)
            {
                long o = 0;
                for (int i = 0; i < shape.Length; i++) if (!axes.Contains(i)) o += index[i] * keptStrides[i];
                int current = entry[o], value = elements[e];
                if (current != -2)
                    entry[o] = current == -1 || current == value || p.Table[current].SameAs(p.Table[value]) ? value : -2;
                for (int i = shape.Length - 1; i >= 0; i--)
                {
                    if (++index[i] < shape[i]) break;
                    index[i] = 0;
                }
            }
            var table = p.Table.Append(ChannelOrigin.None).ToArray();
            int none = table.Length - 1;
            // With keepdims = 0 the same elements lie in the same order.
            var map = entry.Select(v => v < 0 ? none : v).ToArray();
            return FromElementsChecked(table, map, outShape);
        }

        // ---- concatenation, splits, slices, gathers --------------------------------------------------------------

        private void Select(OperatorDefinition definition)
        {
            var present = node.Inputs.Where(i => i.Length > 0).ToList();
            if (definition.Traits.Concatenates)
            {
                long[] outShape = OutputShape(0);
                int axis = TensorLayout.Axis(node.GetInt("axis", 0), outShape.Length);
                var parts = present.Select(i => Provenance.TryGetValue(i, out var p) ? p : TensorProvenance.None(shapes.ShapeOf(i))).ToList();
                var table = new List<ChannelOrigin>();
                var offsets = new List<int>();
                foreach (var p in parts)
                {
                    offsets.Add(table.Count);
                    table.AddRange(p.Table);
                }
                if (axis == 1 && outShape.Length > 1 && parts.All(p => p.PerChannel && p.Map.Length == p.Channels))
                {
                    Set(0, new TensorProvenance(table.ToArray(), parts.SelectMany((p, k) => p.Map.Select(i => i + offsets[k])).ToArray(), true, outShape));
                    return;
                }
                var all = parts.SelectMany((p, k) => p.ElementMap().Select(i => i + offsets[k])).ToArray();
                var index = definition.SourceIndex(node, shapes)!;
                Set(0, TensorProvenance.FromElements(table.ToArray(), index.Select(i => all[i]).ToArray(), outShape));
                return;
            }
            var input = Provenance[node.Inputs[0]];
            for (int o = 0; o < node.Outputs.Count; o++)
            {
                if (node.Outputs[o].Length == 0) continue;
                var index = definition.SourceIndex(node, shapes, o) ?? throw Fail("no element map");
                Set(o, input.Reindexed(index, OutputShape(o)));
            }
        }

        // ---- layers ----------------------------------------------------------------------------------------------

        /// <summary>Whether every term of <paramref name="part"/> is among <paramref name="whole"/>'s.</summary>
        private static bool Contains(ChannelOrigin whole, ChannelOrigin part) =>
            part.Terms.All(t => whole.Terms.Any(u => u.Layer == t.Layer && u.Unit == t.Unit));

        private void Layer(OperatorDefinition definition, List<string> dataInputs)
        {
            string op = node.OpType;
            string dataName = node.Inputs[0];
            if (!Provenance.ContainsKey(dataName))
                throw Fail($"the first input '{dataName}' is a constant; expected the layer's activations there and its weights second");
            if (dataInputs.Contains(node.Inputs[1]) || !definition.HasWeights)
            {
                // A product of two activations (attention scores, attention-weighted values): not a layer.
                HasAttention = true;
                SetAllNone();
                return;
            }
            if (shapes.ConstantOf(node.Input(1)) is null)
                throw Fail($"weight '{node.Input(1)}' is computed at run time; expected an initializer or constant");
            var input = Provenance[dataName];
            long[] outShape = OutputShape(0);
            long[] inShape = input.Shape;
            if (input.Table.All(o => o.IsNone))
            {
                // Weights applied to values that come from no unit (attention's output projection): not a layer either.
                SetAllNone();
                return;
            }
            ChannelOrigin[] units;
            int[] featureUnits;
            int unitAxis;
            if (definition.Traits.Convolution)
            {
                unitAxis = 1;
                if (!input.PerChannel && input.Table.All(o => o.FromModelInput))
                    input = TensorProvenance.PerChannelOf(Enumerable.Range(0, (int)inShape[1])
                        .Select(c => new ChannelOrigin([new OriginTerm(-1, c, 1.0, false)], 1.0)).ToArray(), inShape);
                else if (!input.PerChannel || input.Map.Length != input.Channels)
                    throw Fail("its input channels are not uniform over space (a layout Analyzer cannot follow)");
                units = input.Map.Select(i => input.Table[i]).ToArray();
                featureUnits = Enumerable.Range(0, units.Length).ToArray();
            }
            else
            {
                if (definition.LayerRefusal(node) is { } refusal)
                    throw Fail(refusal);
                unitAxis = inShape.Length - 1;
                (units, featureUnits) = DenseUnits(input, inShape);
            }
            var layerNode = node;
            double[] Compute()
            {
                var weights = definition.Weights(layerNode, shapes, featureUnits, units.Length);
                // Scales after a non-linearity fold into this layer's input units (with their sign where weights keep theirs).
                for (int j = 0; j < weights.Outputs; j++)
                    for (int u = 0; u < units.Length; u++)
                        weights.Values[(long)j * units.Length + u] *= weights.Signed ? units[u].InScale : Math.Abs(units[u].InScale);
                return weights.Values;
            }
            var recurrentMap = definition.OutputUnits(node, 0, outShape);
            int outputs = recurrentMap is null ? (int)outShape[unitAxis == 1 ? 1 : ^1] : recurrentMap.Max() + 1;
            int index = Layers.Count;
            bool grouped = featureUnits.Length != units.Length;
            bool signed = !definition.Traits.Convolution && !grouped && !definition.IsRecurrent;
            Func<double[]>? recurrent = definition.IsRecurrent ? () => definition.RecurrentWeights(layerNode, shapes) : null;
            Layers.Add(new TracedLayer(index, node.DisplayName, op, node.Index, units, Compute, outputs, inShape, outShape,
                grouped ? featureUnits : null, unitAxis, signed, definition.Traits.Convolution, recurrent));
            if (recurrentMap is not null)
            {
                // A recurrent layer's hidden units have been through its gates and tanh: they are activated units.
                var hidden = Enumerable.Range(0, outputs).Select(j => new ChannelOrigin([new OriginTerm(index, j, 1.0, true)], 1.0, Activated: true)).ToArray();
                for (int o = 0; o < node.Outputs.Count; o++)
                    if (node.Outputs[o].Length > 0 && definition.OutputUnits(node, o, OutputShape(o)) is { } map)
                        Set(o, TensorProvenance.FromElements(hidden, map, OutputShape(o)));
                return;
            }
            var origins = Enumerable.Range(0, outputs).Select(j => new ChannelOrigin([new OriginTerm(index, j, 1.0, false)], 1.0)).ToArray();
            if (unitAxis == 1 || outShape.Length <= 2)
                Set(0, TensorProvenance.PerChannelOf(origins, outShape));
            else
            {
                // Units on the last axis ([batch, tokens, units] or [batch, H, W, units]): the same origins at every position.
                var map = new int[TensorLayout.Count(outShape)];
                for (int e = 0; e < map.Length; e++) map[e] = e % outputs;
                Set(0, TensorProvenance.FromElements(origins, map, outShape));
            }
        }

        /// <summary>
        /// The units of a dense layer's input: its features on the last axis, each with the origin it has at every
        /// position (positions with no origin, such as a class token, are ignored), grouped by origin (a flattened conv
        /// feature map gives one unit per channel). Returns the units and each feature's unit.
        /// </summary>
        private (ChannelOrigin[] Units, int[] FeatureUnits) DenseUnits(TensorProvenance input, long[] inShape)
        {
            int features = (int)inShape[^1];
            int[] elements = input.PerChannel && inShape.Length <= 2 ? input.Map : input.ElementMap();
            var entryOf = new int[features];
            Array.Fill(entryOf, -1);
            var table = input.Table.ToList();
            // The model's input read at several positions (tokens given as input) is its feature f at every position.
            var normalised = new Dictionary<(int Entry, int Feature), int>();
            int Normalise(int entry, int f)
            {
                var o = table[entry];
                if (!o.Terms.Any(t => t.Layer < 0)) return entry;
                if (!normalised.TryGetValue((entry, f), out int index))
                {
                    index = table.Count;
                    table.Add(o with { Terms = o.Terms.Select(t => t.Layer < 0 ? t with { Unit = f } : t).Distinct().ToArray() });
                    normalised[(entry, f)] = index;
                }
                return index;
            }
            for (int e = 0; e < elements.Length; e++)
            {
                int f = e % features, entry = elements[e];
                if (table[entry].IsNone || entryOf[f] == entry) continue;
                if (inShape.Length > 2) entry = Normalise(entry, f);
                if (entryOf[f] == -1) { entryOf[f] = entry; continue; }
                var (current, other) = (table[entryOf[f]], table[entry]);
                if (current.SameAs(other) || Contains(current, other)) continue;
                // Positions that miss some of the feature's origins (a class token has no patch embedding): the union.
                if (Contains(other, current)) { entryOf[f] = entry; continue; }
                throw Fail($"feature {f} of its input [{string.Join(", ", inShape)}] comes from different units at different positions (a layout Analyzer cannot follow)");
            }
            var unitOfEntry = new Dictionary<int, int>();
            var featureUnit = new int[features];
            var units = new List<ChannelOrigin>();
            for (int f = 0; f < features; f++)
            {
                int entry = entryOf[f];
                // A feature that comes from no unit (a constant everywhere) is a unit of its own.
                if (entry < 0 || !unitOfEntry.TryGetValue(entry, out int u))
                {
                    u = units.Count;
                    if (entry >= 0) unitOfEntry[entry] = u;
                    units.Add(entry < 0 ? ChannelOrigin.None : table[entry]);
                }
                featureUnit[f] = u;
            }
            return (units.ToArray(), featureUnit);
        }
    }
}
