using Analyzer.Onnx.Model;

namespace Analyzer.Onnx.Shapes;

/// <summary>
/// Computes the static shape of every tensor in an <see cref="OnnxGraph"/> for a single example, folding constant
/// subgraphs (shape arithmetic, Constant, ConstantOfShape) on the way. Covers the operators of the networks Analyzer
/// analyses; any other operator on the data path is reported as unsupported, naming the node.
/// </summary>
public static class ShapeInference
{
    private static readonly HashSet<string> SameShapeOps =
    [
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "Softmax", "LogSoftmax", "Identity", "BatchNormalization", "LRN",
        "Elu", "Selu", "Softplus", "Softsign", "HardSigmoid", "HardSwish", "PRelu", "Exp", "Log", "Abs", "Neg", "Sqrt",
        "Erf", "Cast", "InstanceNormalization", "LayerNormalization", "Gelu", "Mish", "Celu", "ThresholdedRelu", "Reciprocal",
        "Floor", "Ceil", "Round", "Sign", "Not",
    ];

    private static readonly HashSet<string> BroadcastOps =
        ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Equal", "Less", "Greater", "And", "Or", "Where"];

    public static InferredShapes Infer(OnnxGraph graph)
    {
        var shapes = new Dictionary<string, long[]>();
        var constants = new Dictionary<string, OnnxTensor>();
        foreach (var (name, tensor) in graph.Initializers)
        {
            shapes[name] = tensor.Shape;
            constants[name] = tensor;
        }
        foreach (var input in graph.Inputs)
        {
            if (input.Shape is null)
                throw new ModelFormatException($"{graph.Path}: input '{input.Name}' has no shape; Analyzer needs its rank and sizes");
            // One example: a symbolic batch dimension counts as 1; any other unknown size is an error.
            var shape = input.Shape.Select((d, i) => d < 0 && i == 0 ? 1 : d).ToArray();
            if (shape.Any(d => d < 0))
                throw new ModelFormatException($"{graph.Path}: input '{input.Name}' has unknown size(s) in shape [{string.Join(", ", input.Shape)}]; expected fixed sizes after the batch dimension");
            shapes[input.Name] = shape;
        }

        var context = new Context(graph, shapes, constants);
        foreach (var node in graph.Nodes)
            context.Visit(node);
        return new InferredShapes(shapes, constants);
    }

    private sealed class Context(OnnxGraph graph, Dictionary<string, long[]> shapes, Dictionary<string, OnnxTensor> constants)
    {
        private OnnxNode node = null!;

        public void Visit(OnnxNode n)
        {
            node = n;
            if (n.Domain is not ("" or "ai.onnx"))
                throw Fail($"operator domain '{n.Domain}' is not supported; expected the default ONNX domain");
            for (int i = 0; i < n.Inputs.Count; i++)
            {
                string input = n.Inputs[i];
                if (input.Length > 0 && !shapes.ContainsKey(input))
                    throw Fail($"input '{input}' is not produced by any earlier node, initializer or graph input");
            }
            try
            {
                Infer();
            }
            catch (ModelFormatException) { throw; }
            catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidOperationException or OverflowException or KeyNotFoundException)
            {
                throw Fail($"inconsistent inputs or attributes ({e.Message})");
            }
        }

        private ModelFormatException Fail(string problem) => Errors.Node(graph.Path, new(node.DisplayName, node.OpType), problem);

        private long[] Shape(int i) => shapes[node.Inputs[i]];
        private OnnxTensor? Const(int i) => node.Input(i) is { } name ? constants.GetValueOrDefault(name) : null;
        private bool AllConstant => node.Inputs.Where(s => s.Length > 0).All(constants.ContainsKey);

        private void Set(int output, long[] shape, OnnxTensor? value = null)
        {
            if (output >= node.Outputs.Count || node.Outputs[output].Length == 0) return;
            string name = node.Outputs[output];
            shapes[name] = shape;
            if (value is not null) constants[name] = value;
        }

        private void SetFloats(long[] shape, double[] values) => Set(0, shape, OnnxTensor.FromFloats(node.Outputs[0], shape, values));
        private void SetInts(long[] shape, long[] values) => Set(0, shape, OnnxTensor.FromInts(node.Outputs[0], shape, values));

        private void Infer()
        {
            string op = node.OpType;
            switch (op)
            {
                case "Constant": Constant(); return;
                case "ConstantOfShape": ConstantOfShape(); return;
                case "Shape": SetInts([Shape(0).Length], Shape(0).ToArray()); return;
                case "Size": SetInts([], [TensorLayout.Count(Shape(0))]); return;
                case "Gather": Gather(); return;
                case "Conv": Conv(); return;
                case "MaxPool" or "AveragePool" or "LpPool": Pool(); return;
                case "GlobalAveragePool" or "GlobalMaxPool" or "GlobalLpPool":
                    Set(0, Shape(0).Select((d, i) => i < 2 ? d : 1).ToArray());
                    return;
                case "Gemm": Gemm(); return;
                case "MatMul": MatMul(); return;
                case "Flatten": Flatten(); return;
                case "Reshape": Reshape(); return;
                case "Transpose": Transpose(); return;
                case "Squeeze": Squeeze(); return;
                case "Unsqueeze": Unsqueeze(); return;
                case "Concat": Concat(); return;
                case "Slice": Slice(); return;
                case "Split": Split(); return;
                case "Pad": Pad(); return;
                case "Dropout":
                    Set(0, Shape(0), Const(0));
                    Set(1, Shape(0));
                    return;
            }
            if (SameShapeOps.Contains(op))
            {
                var value = op is "Identity" or "Cast" ? Const(0) : null;
                if (op == "Cast" && value is not null)
                    value = CastConstant(value, (TensorElementType)node.GetInt("to", 1));
                Set(0, Shape(0), value);
                return;
            }
            if (BroadcastOps.Contains(op))
            {
                Broadcast();
                return;
            }
            throw Fail("operator is not supported");
        }

        private void Constant()
        {
            var attr = node.Attributes.FirstOrDefault() ?? throw Fail("Constant has no value attribute");
            OnnxTensor value = attr.Kind switch
            {
                OnnxAttributeKind.Tensor => attr.Tensor ?? throw Fail("Constant has an empty tensor"),
                OnnxAttributeKind.Float => OnnxTensor.FromFloats(node.Outputs[0], [], [attr.Float]),
                OnnxAttributeKind.Floats => OnnxTensor.FromFloats(node.Outputs[0], [attr.Floats!.Count], attr.Floats.ToArray()),
                OnnxAttributeKind.Int => OnnxTensor.FromInts(node.Outputs[0], [], [attr.Int]),
                OnnxAttributeKind.Ints => OnnxTensor.FromInts(node.Outputs[0], [attr.Ints!.Count], attr.Ints.ToArray()),
                _ => throw Fail($"Constant attribute '{attr.Name}' is not supported"),
            };
            Set(0, value.Shape, value);
        }

        private void ConstantOfShape()
        {
            var shapeTensor = Const(0) ?? throw Fail("the shape input is not constant");
            long[] shape = shapeTensor.AsInt64s();
            long count = TensorLayout.Count(shape);
            var value = node.Attribute("value")?.Tensor;
            if (value is not null && !value.IsFloatingPoint)
                SetInts(shape, Enumerable.Repeat(value.Ints![0], (int)count).ToArray());
            else
                SetFloats(shape, Enumerable.Repeat(value?.Floats![0] ?? 0.0, (int)count).ToArray());
        }

        private void Gather()
        {
            long[] data = Shape(0);
            long[] indicesShape = Shape(1);
            int axis = TensorLayout.Axis(node.GetInt("axis", 0), data.Length);
            long[] outShape = [.. data[..axis], .. indicesShape, .. data[(axis + 1)..]];
            var source = Const(0);
            var indices = Const(1);
            if (source is null || indices is null)
            {
                Set(0, outShape);
                return;
            }
            long outer = TensorLayout.Count(data.AsSpan(0, axis)), inner = TensorLayout.Count(data.AsSpan(axis + 1));
            long[] idx = indices.AsInt64s().Select(i => i < 0 ? i + data[axis] : i).ToArray();
            var map = new List<long>();
            for (long o = 0; o < outer; o++)
                foreach (long i in idx)
                    for (long j = 0; j < inner; j++)
                        map.Add((o * data[axis] + i) * inner + j);
            SetMapped(source, outShape, map);
        }

        private void SetMapped(OnnxTensor source, long[] shape, IEnumerable<long> map)
        {
            if (source.IsFloatingPoint)
                SetFloats(shape, map.Select(i => source.Floats![i]).ToArray());
            else
                SetInts(shape, map.Select(i => source.Ints![i]).ToArray());
        }

        private static OnnxTensor CastConstant(OnnxTensor value, TensorElementType to) =>
            to is TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16 or TensorElementType.BFloat16
                ? OnnxTensor.FromFloats(value.Name, value.Shape, value.AsDoubles())
                : OnnxTensor.FromInts(value.Name, value.Shape, value.AsInt64s());

        private void Conv()
        {
            long[] x = Shape(0);
            long[] w = Shape(1);
            if (x.Length < 3 || w.Length != x.Length)
                throw Fail($"input of shape [{string.Join(", ", x)}] and weight of shape [{string.Join(", ", w)}] do not fit; expected [N, C, spatial...] and [M, C/group, kernel...]");
            long group = node.GetInt("group", 1);
            if (x[1] != w[1] * group)
                throw Fail($"input has {x[1]} channels but the weight expects {w[1] * group} ({w[1]} per group x {group} groups)");
            long[] kernel = w[2..];
            Set(0, [x[0], w[0], .. SpatialOutput(x[2..], kernel)]);
        }

        private void Pool()
        {
            long[] x = Shape(0);
            long[] kernel = node.GetInts("kernel_shape") ?? throw Fail("kernel_shape is missing");
            var shape = new long[] { x[0], x[1] }.Concat(SpatialOutput(x[2..], kernel)).ToArray();
            Set(0, shape);
            Set(1, shape);
        }

        private long[] SpatialOutput(long[] input, long[] kernel)
        {
            int dims = input.Length;
            long[] strides = node.GetInts("strides") ?? Enumerable.Repeat(1L, dims).ToArray();
            long[] dilations = node.GetInts("dilations") ?? Enumerable.Repeat(1L, dims).ToArray();
            long[] pads = node.GetInts("pads") ?? new long[2 * dims];
            string autoPad = node.GetString("auto_pad", "NOTSET");
            bool ceil = node.GetInt("ceil_mode", 0) != 0;
            var result = new long[dims];
            for (int i = 0; i < dims; i++)
            {
                long effective = (kernel[i] - 1) * dilations[i] + 1;
                result[i] = autoPad switch
                {
                    "SAME_UPPER" or "SAME_LOWER" => (input[i] + strides[i] - 1) / strides[i],
                    "VALID" => (input[i] - effective) / strides[i] + 1,
                    _ => ceil
                        ? (long)Math.Ceiling((input[i] + pads[i] + pads[i + dims] - effective) / (double)strides[i]) + 1
                        : (input[i] + pads[i] + pads[i + dims] - effective) / strides[i] + 1,
                };
                if (result[i] <= 0)
                    throw Fail($"spatial size {input[i]} is too small for kernel {kernel[i]}");
            }
            return result;
        }

        private void Gemm()
        {
            long[] a = Shape(0), b = Shape(1);
            if (a.Length != 2 || b.Length != 2)
                throw Fail($"expected 2-D inputs; got [{string.Join(", ", a)}] and [{string.Join(", ", b)}]");
            bool transA = node.GetInt("transA", 0) != 0, transB = node.GetInt("transB", 0) != 0;
            long m = transA ? a[1] : a[0], k = transA ? a[0] : a[1];
            long kb = transB ? b[1] : b[0], n = transB ? b[0] : b[1];
            if (k != kb)
                throw Fail($"weight B has shape [{string.Join(", ", b)}] but its input has {k} units; expected [{(transB ? "*, " + k : k + ", *")}]");
            Set(0, [m, n]);
        }

        private void MatMul()
        {
            long[] a = Shape(0), b = Shape(1);
            long[] a2 = a.Length == 1 ? [1, a[0]] : a, b2 = b.Length == 1 ? [b[0], 1] : b;
            if (a2[^1] != b2[^2])
                throw Fail($"inner dimensions differ: [{string.Join(", ", a)}] x [{string.Join(", ", b)}]");
            long[] batch = TensorLayout.Broadcast(a2[..^2], b2[..^2]) ?? throw Fail("batch dimensions do not broadcast");
            var shape = new List<long>(batch);
            if (a.Length > 1) shape.Add(a2[^2]);
            if (b.Length > 1) shape.Add(b2[^1]);
            Set(0, shape.ToArray());
        }

        private void Flatten()
        {
            long[] x = Shape(0);
            int axis = TensorLayout.Axis(node.GetInt("axis", 1), x.Length);
            long[] shape = [TensorLayout.Count(x.AsSpan(0, axis)), TensorLayout.Count(x.AsSpan(axis))];
            Set(0, shape, Reshaped(Const(0), shape));
        }

        private OnnxTensor? Reshaped(OnnxTensor? value, long[] shape) =>
            value is null ? null : new OnnxTensor(node.Outputs[0], shape, value.ElementType, value.Floats, value.Ints);

        private void Reshape()
        {
            long[] x = Shape(0);
            long[] target;
            if (node.Input(1) is not null)
                target = (Const(1) ?? throw Fail("the target shape is computed at run time; Analyzer needs a constant shape")).AsInt64s();
            else
                target = node.GetInts("shape") ?? throw Fail("no target shape");
            bool allowZero = node.GetInt("allowzero", 0) != 0;
            var shape = target.Select((d, i) => d == 0 && !allowZero ? x[i] : d).ToArray();
            long known = shape.Where(d => d >= 0).Aggregate(1L, (a, d) => a * d);
            long total = TensorLayout.Count(x);
            int unknown = Array.IndexOf(shape, -1L);
            if (unknown >= 0)
                shape[unknown] = known == 0 ? 0 : total / known;
            if (TensorLayout.Count(shape) != total)
                throw Fail($"cannot reshape [{string.Join(", ", x)}] to [{string.Join(", ", target)}]");
            Set(0, shape, Reshaped(Const(0), shape));
        }

        private void Transpose()
        {
            long[] x = Shape(0);
            int[] perm = node.GetInts("perm")?.Select(p => (int)p).ToArray() ?? Enumerable.Range(0, x.Length).Reverse().ToArray();
            long[] shape = perm.Select(p => x[p]).ToArray();
            var value = Const(0);
            if (value is null)
                Set(0, shape);
            else if (value.IsFloatingPoint)
                SetFloats(shape, TensorLayout.Transpose(value.Floats!, x, perm));
            else
                SetInts(shape, TensorLayout.Transpose(value.Ints!, x, perm));
        }

        private long[] Axes(int inputIndex)
        {
            if (node.Input(inputIndex) is not null)
                return (Const(inputIndex) ?? throw Fail("axes are not constant")).AsInt64s();
            return node.GetInts("axes") ?? [];
        }

        private void Squeeze()
        {
            long[] x = Shape(0);
            var axes = Axes(1).Select(a => TensorLayout.Axis(a, x.Length)).ToHashSet();
            long[] shape = x.Where((d, i) => axes.Count == 0 ? d != 1 : !axes.Contains(i)).ToArray();
            Set(0, shape, Reshaped(Const(0), shape));
        }

        private void Unsqueeze()
        {
            long[] x = Shape(0);
            long[] rawAxes = Axes(1);
            int rank = x.Length + rawAxes.Length;
            var axes = rawAxes.Select(a => TensorLayout.Axis(a, rank)).ToHashSet();
            var shape = new long[rank];
            for (int i = 0, j = 0; i < rank; i++)
                shape[i] = axes.Contains(i) ? 1 : x[j++];
            Set(0, shape, Reshaped(Const(0), shape));
        }

        private void Concat()
        {
            var inputs = node.Inputs.Where(s => s.Length > 0).ToList();
            long[] first = shapes[inputs[0]];
            int axis = TensorLayout.Axis(node.GetInt("axis", 0), first.Length);
            var shape = first.ToArray();
            shape[axis] = inputs.Sum(s => shapes[s][axis]);
            foreach (var s in inputs)
                if (shapes[s].Length != first.Length || shapes[s].Where((d, i) => i != axis && d != first[i]).Any())
                    throw Fail($"inputs of shapes [{string.Join(", ", first)}] and [{string.Join(", ", shapes[s])}] cannot be concatenated on axis {axis}");
            if (!AllConstant)
            {
                Set(0, shape);
                return;
            }
            var parts = inputs.Select(s => constants[s]).ToList();
            long outer = TensorLayout.Count(first.AsSpan(0, axis));
            var map = new List<(int Part, long Index)>();
            for (long o = 0; o < outer; o++)
                for (int p = 0; p < parts.Count; p++)
                {
                    long block = TensorLayout.Count(parts[p].Shape.AsSpan(axis));
                    for (long j = 0; j < block; j++) map.Add((p, o * block + j));
                }
            if (parts.All(p => !p.IsFloatingPoint))
                SetInts(shape, map.Select(m => parts[m.Part].Ints![m.Index]).ToArray());
            else
                SetFloats(shape, map.Select(m => parts[m.Part].AsDoubles()[m.Index]).ToArray());
        }

        private void Slice()
        {
            long[] x = Shape(0);
            long[] starts, ends, axes, steps;
            if (graph.OpsetVersion < 10)
            {
                starts = node.GetInts("starts") ?? throw Fail("starts missing");
                ends = node.GetInts("ends") ?? throw Fail("ends missing");
                axes = node.GetInts("axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
                steps = Enumerable.Repeat(1L, starts.Length).ToArray();
            }
            else
            {
                starts = (Const(1) ?? throw Fail("starts are not constant")).AsInt64s();
                ends = (Const(2) ?? throw Fail("ends are not constant")).AsInt64s();
                axes = Const(3)?.AsInt64s() ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
                steps = Const(4)?.AsInt64s() ?? Enumerable.Repeat(1L, starts.Length).ToArray();
            }
            var begin = new long[x.Length];
            var step = Enumerable.Repeat(1L, x.Length).ToArray();
            var shape = x.ToArray();
            for (int i = 0; i < starts.Length; i++)
            {
                int a = TensorLayout.Axis(axes[i], x.Length);
                long dim = x[a], s = steps[i];
                long lo = starts[i] < 0 ? starts[i] + dim : starts[i], hi = ends[i] < 0 ? ends[i] + dim : ends[i];
                if (s > 0)
                {
                    lo = Math.Clamp(lo, 0, dim);
                    hi = Math.Clamp(hi, 0, dim);
                    shape[a] = Math.Max(0, (hi - lo + s - 1) / s);
                }
                else
                {
                    lo = Math.Clamp(lo, 0, dim - 1);
                    hi = Math.Clamp(hi, -1, dim - 1);
                    shape[a] = Math.Max(0, (lo - hi + (-s) - 1) / (-s));
                }
                begin[a] = lo;
                step[a] = s;
            }
            var value = Const(0);
            if (value is null)
            {
                Set(0, shape);
                return;
            }
            var map = TensorLayout.SliceIndex(x, begin, step, shape);
            SetMapped(value, shape, map);
        }

        private void Split()
        {
            long[] x = Shape(0);
            int axis = TensorLayout.Axis(node.GetInt("axis", 0), x.Length);
            long[] parts = node.Input(1) is not null
                ? (Const(1) ?? throw Fail("split sizes are not constant")).AsInt64s()
                : node.GetInts("split") ?? Enumerable.Repeat(x[axis] / node.Outputs.Count, node.Outputs.Count).ToArray();
            for (int i = 0; i < node.Outputs.Count; i++)
            {
                var shape = x.ToArray();
                shape[axis] = parts[i];
                Set(i, shape);
            }
        }

        private void Pad()
        {
            long[] x = Shape(0);
            long[] pads = node.Input(1) is not null
                ? (Const(1) ?? throw Fail("pads are not constant")).AsInt64s()
                : node.GetInts("pads") ?? node.GetInts("paddings") ?? throw Fail("pads missing");
            long[] axes = Const(3)?.AsInt64s() ?? Enumerable.Range(0, x.Length).Select(i => (long)i).ToArray();
            var shape = x.ToArray();
            for (int i = 0; i < axes.Length; i++)
            {
                int a = TensorLayout.Axis(axes[i], x.Length);
                shape[a] += pads[i] + pads[i + axes.Length];
            }
            Set(0, shape);
        }

        private void Broadcast()
        {
            var inputs = node.Inputs.Where(s => s.Length > 0).ToList();
            long[] shape = shapes[inputs[0]];
            foreach (var s in inputs.Skip(1))
                shape = TensorLayout.Broadcast(shape, shapes[s])
                    ?? throw Fail($"shapes [{string.Join(", ", shape)}] and [{string.Join(", ", shapes[s])}] do not broadcast");
            if (!AllConstant || inputs.Count != 2 || node.OpType is not ("Add" or "Sub" or "Mul" or "Div"))
            {
                Set(0, shape);
                return;
            }
            var a = constants[inputs[0]];
            var b = constants[inputs[1]];
            long[] ia = TensorLayout.BroadcastIndex(a.Shape, shape), ib = TensorLayout.BroadcastIndex(b.Shape, shape);
            if (!a.IsFloatingPoint && !b.IsFloatingPoint)
            {
                long[] va = a.Ints!, vb = b.Ints!;
                SetInts(shape, ia.Select((i, k) => IntOp(va[i], vb[ib[k]])).ToArray());
            }
            else
            {
                double[] va = a.AsDoubles(), vb = b.AsDoubles();
                SetFloats(shape, ia.Select((i, k) => FloatOp(va[i], vb[ib[k]])).ToArray());
            }
        }

        private long IntOp(long x, long y) => node.OpType switch
        {
            "Add" => x + y,
            "Sub" => x - y,
            "Mul" => x * y,
            _ => y == 0 ? 0 : x / y,
        };

        private double FloatOp(double x, double y) => node.OpType switch
        {
            "Add" => x + y,
            "Sub" => x - y,
            "Mul" => x * y,
            _ => x / y,
        };
    }
}
