using Analyzer.Onnx.Building;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;
using static Analyzer.Onnx.Operators.OperatorRegistry;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// Operators that move, copy or select elements without computing on them: reshapes, transposes, broadcasts,
/// concatenation, splits, slices, gathers by constant indices, and padding. The tracer follows them element by
/// element through <see cref="OperatorDefinition.SourceIndex"/> (channel shuffles, flattening before a dense layer and the tokens of a
/// vision transformer all come out right this way); their gradients route the output gradient back.
/// </summary>
internal static class LayoutOperators
{
    public static IEnumerable<OperatorDefinition> Definitions()
    {
        yield return Op("Flatten", ChannelFlow.Rearrange, Flatten, ReshapeBack);
        yield return Op("Reshape", ChannelFlow.Rearrange, Reshape, ReshapeBack, traits: new() { TargetShapeInput = 1 });
        yield return Op("Squeeze", ChannelFlow.Rearrange, Squeeze, ReshapeBack, traits: new() { UnsqueezesBy = -1 });
        yield return Op("Unsqueeze", ChannelFlow.Rearrange, Unsqueeze, ReshapeBack, traits: new() { UnsqueezesBy = 1 });
        yield return Op("Transpose", ChannelFlow.Rearrange, Transpose, TransposeBack, indices: (n, s, _) =>
        {
            long[] x = s.ShapeOf(n.Inputs[0]);
            return TensorLayout.Transpose(Iota(x), x, Permutation(n, x.Length));
        }, traits: new() { Permutation = Permutation });
        yield return Op("Expand", ChannelFlow.Rearrange, Expand, c => [(c.X, c.ReduceTo(c.G(), c.ShapeOf(c.Y), c.X))],
            indices: (n, s, _) => TensorLayout.BroadcastIndex(s.ShapeOf(n.Inputs[0]), s.ShapeOf(n.Outputs[0])));
        yield return Op("Tile", ChannelFlow.Rearrange, Tile, TileBack, indices: (n, s, _) => TileIndex(s.ShapeOf(n.Inputs[0]), s.ShapeOf(n.Outputs[0])));
        yield return Op("Concat", ChannelFlow.Select, Concat, ConcatBack, indices: ConcatIndex, traits: new() { Concatenates = true });
        yield return Op("Split", ChannelFlow.Select, Split, SplitBack, indices: SplitIndex);
        yield return Op("Slice", ChannelFlow.Select, Slice, SliceBack, indices: (n, s, _) =>
        {
            long[] x = s.ShapeOf(n.Inputs[0]);
            var (shape, begin, step) = SliceGeometry(n, s.Opset, x, i => s.ConstantOf(n.Input(i)));
            return TensorLayout.SliceIndex(x, begin, step, shape);
        });
        yield return Op("Gather", ChannelFlow.Select, Gather, GatherBack, indices: (n, s, _) =>
        {
            long[] x = s.ShapeOf(n.Inputs[0]);
            var idx = s.ConstantOf(n.Input(1)) ?? throw new ModelFormatException($"node {n}: the indices vary with the input; only constant indices are followed");
            return GatherIndex(x, TensorLayout.Axis(n.GetInt("axis", 0), x.Length), idx.AsInt64s());
        }, traits: new() { LooksUp = true });
        yield return Op("Pad", ChannelFlow.Transparent, Pad, PadBack, traits: new() { SingleDataInput = true });
        // Trilu keeps a triangle of the last two axes (a causal attention mask, from constants); its gradient is the same triangle.
        yield return Op("Trilu", ChannelFlow.Transparent, Trilu,
            c => [(c.X, c.W.Add("Trilu", c.Node.Input(1) is { } k ? [c.G(), k] : [c.G()], null, GraphBuilder.Int("upper", c.Node.GetInt("upper", 1))))],
            traits: new() { SingleDataInput = true });
        // ScatterND builds constants (Swin's shifted-window attention mask); on activations its values carry no units.
        // CumSum builds position ids from attention masks (cumsum(mask) · mask); on activations its running sums mix
        // positions or units, so they carry none. Its gradient is the running sum the other way.
        yield return Op("CumSum", ChannelFlow.Opaque, CumSum, c =>
        {
            c.RequireConstant(1);
            return [(c.X, c.W.Add("CumSum", [c.G(), c.Node.Inputs[1]], null, GraphBuilder.Int("exclusive", c.Node.GetInt("exclusive", 0)),
                GraphBuilder.Int("reverse", 1 - c.Node.GetInt("reverse", 0))))];
        }, traits: new() { SingleDataInput = true });
        yield return Op("ScatterND", ChannelFlow.Opaque, ScatterND, null, "ScatterND has no vector-Jacobian product here yet");
    }

    private static long[] Iota(long[] shape)
    {
        var index = new long[TensorLayout.Count(shape)];
        for (long i = 0; i < index.Length; i++) index[i] = i;
        return index;
    }

    private static long[] TileIndex(long[] x, long[] output)
    {
        long[] inStrides = TensorLayout.Strides(x);
        var map = new long[TensorLayout.Count(output)];
        var index = new long[output.Length];
        for (long o = 0; o < map.Length; o++)
        {
            long src = 0;
            for (int i = 0; i < output.Length; i++) src += index[i] % x[i] * inStrides[i];
            map[o] = src;
            for (int i = output.Length - 1; i >= 0; i--)
            {
                if (++index[i] < output[i]) break;
                index[i] = 0;
            }
        }
        return map;
    }

    private static long[] ConcatIndex(OnnxNode node, InferredShapes shapes, int output)
    {
        var inputs = node.Inputs.Where(i => i.Length > 0).Select(shapes.ShapeOf).ToList();
        long[] outShape = shapes.ShapeOf(node.Outputs[0]);
        int axis = TensorLayout.Axis(node.GetInt("axis", 0), outShape.Length);
        long outer = TensorLayout.Count(outShape.AsSpan(0, axis));
        var map = new long[TensorLayout.Count(outShape)];
        long k = 0, offset = 0;
        var offsets = new long[inputs.Count];
        for (int p = 0; p < inputs.Count; p++) { offsets[p] = offset; offset += TensorLayout.Count(inputs[p]); }
        for (long o = 0; o < outer; o++)
            for (int p = 0; p < inputs.Count; p++)
            {
                long block = TensorLayout.Count(inputs[p].AsSpan(axis));
                for (long j = 0; j < block; j++) map[k++] = offsets[p] + o * block + j;
            }
        return map;
    }

    private static long[] SplitIndex(OnnxNode node, InferredShapes shapes, int output)
    {
        long[] x = shapes.ShapeOf(node.Inputs[0]);
        int axis = TensorLayout.Axis(node.GetInt("axis", 0), x.Length);
        long offset = 0;
        for (int k = 0; k < output; k++) offset += shapes.ShapeOf(node.Outputs[k])[axis];
        long[] outShape = shapes.ShapeOf(node.Outputs[output]);
        var begin = new long[x.Length];
        begin[axis] = offset;
        return TensorLayout.SliceIndex(x, begin, Enumerable.Repeat(1L, x.Length).ToArray(), outShape);
    }

    private static void Flatten(ShapeContext c)
    {
        long[] x = c.Shape(0);
        int axis = TensorLayout.Axis(c.Node.GetInt("axis", 1), x.Length);
        long[] shape = [TensorLayout.Count(x.AsSpan(0, axis)), TensorLayout.Count(x.AsSpan(axis))];
        c.Set(0, shape, c.Reshaped(c.Const(0), shape));
    }

    private static void Reshape(ShapeContext c)
    {
        long[] x = c.Shape(0);
        long[] target = c.Has(1) ? c.ConstInts(1, "the target shape") : c.Node.GetInts("shape") ?? throw c.Fail("no target shape");
        bool allowZero = c.Node.GetInt("allowzero", 0) != 0;
        var shape = target.Select((d, i) => d == 0 && !allowZero && i < x.Length ? x[i] : d).ToArray();
        long known = shape.Where(d => d >= 0).Aggregate(1L, (a, d) => a * d);
        long total = TensorLayout.Count(x);
        int unknown = Array.IndexOf(shape, -1L);
        if (unknown >= 0)
            shape[unknown] = known == 0 ? 0 : total / known;
        if (TensorLayout.Count(shape) != total)
            throw c.Fail($"cannot reshape {ShapeContext.Format(x)} to {ShapeContext.Format(target)}");
        c.Set(0, shape, c.Reshaped(c.Const(0), shape));
    }

    private static void Transpose(ShapeContext c)
    {
        long[] x = c.Shape(0);
        int[] perm = Permutation(c.Node, x.Length);
        long[] shape = perm.Select(p => x[p]).ToArray();
        var value = c.Const(0);
        if (value is null)
            c.Set(0, shape);
        else if (value.IsFloatingPoint)
            c.SetFloats(shape, TensorLayout.Transpose(value.Floats!, x, perm));
        else
            c.SetInts(shape, TensorLayout.Transpose(value.Ints!, x, perm));
    }

    public static int[] Permutation(OnnxNode node, int rank) =>
        node.GetInts("perm")?.Select(p => (int)p).ToArray() ?? Enumerable.Range(0, rank).Reverse().ToArray();

    private static void Squeeze(ShapeContext c)
    {
        long[] x = c.Shape(0);
        var axes = c.Axes(1).Select(a => TensorLayout.Axis(a, x.Length)).ToHashSet();
        long[] shape = x.Where((d, i) => axes.Count == 0 ? d != 1 : !axes.Contains(i)).ToArray();
        c.Set(0, shape, c.Reshaped(c.Const(0), shape));
    }

    private static void Unsqueeze(ShapeContext c)
    {
        long[] x = c.Shape(0);
        long[] rawAxes = c.Axes(1);
        int rank = x.Length + rawAxes.Length;
        var axes = rawAxes.Select(a => TensorLayout.Axis(a, rank)).ToHashSet();
        var shape = new long[rank];
        for (int i = 0, j = 0; i < rank; i++)
            shape[i] = axes.Contains(i) ? 1 : x[j++];
        c.Set(0, shape, c.Reshaped(c.Const(0), shape));
    }

    private static void Expand(ShapeContext c)
    {
        long[] x = c.Shape(0);
        long[] target = c.ConstInts(1, "the target shape");
        long[] shape = TensorLayout.Broadcast(x, target) ?? throw c.Fail($"cannot expand {ShapeContext.Format(x)} to {ShapeContext.Format(target)}");
        var value = c.Const(0);
        if (value is not null && TensorLayout.Count(shape) <= 1 << 24)
            c.SetMapped(value, shape, TensorLayout.BroadcastIndex(x, shape));
        else
            c.Set(0, shape);
    }

    private static void Tile(ShapeContext c)
    {
        long[] x = c.Shape(0);
        long[] repeats = c.ConstInts(1, "the repeats");
        if (repeats.Length != x.Length) throw c.Fail($"{repeats.Length} repeats for a tensor of rank {x.Length}");
        c.Set(0, x.Select((d, i) => d * repeats[i]).ToArray());
    }

    private static void Concat(ShapeContext c)
    {
        var inputs = c.PresentInputs.ToList();
        long[] first = c.ShapeOf(inputs[0]);
        int axis = TensorLayout.Axis(c.Node.GetInt("axis", 0), first.Length);
        var shape = first.ToArray();
        shape[axis] = inputs.Sum(s => c.ShapeOf(s)[axis]);
        foreach (var s in inputs)
            if (c.ShapeOf(s).Length != first.Length || c.ShapeOf(s).Where((d, i) => i != axis && d != first[i]).Any())
                throw c.Fail($"inputs of shapes {ShapeContext.Format(first)} and {ShapeContext.Format(c.ShapeOf(s))} cannot be concatenated on axis {axis}");
        if (!c.AllConstant)
        {
            c.Set(0, shape);
            return;
        }
        var parts = inputs.Select(c.ConstantNamed).ToList();
        long outer = TensorLayout.Count(first.AsSpan(0, axis));
        var map = new List<(int Part, long Index)>();
        for (long o = 0; o < outer; o++)
            for (int p = 0; p < parts.Count; p++)
            {
                long block = TensorLayout.Count(parts[p].Shape.AsSpan(axis));
                for (long j = 0; j < block; j++) map.Add((p, o * block + j));
            }
        if (parts.All(p => !p.IsFloatingPoint))
            c.SetInts(shape, map.Select(m => parts[m.Part].Ints![m.Index]).ToArray());
        else
            c.SetFloats(shape, map.Select(m => parts[m.Part].AsDoubles()[m.Index]).ToArray());
    }

    private static void Slice(ShapeContext c)
    {
        long[] x = c.Shape(0);
        var (shape, begin, step) = SliceGeometry(c.Node, c.Opset, x, c.Const);
        var value = c.Const(0);
        if (value is null)
            c.Set(0, shape);
        else
            c.SetMapped(value, shape, TensorLayout.SliceIndex(x, begin, step, shape));
    }

    /// <summary>Output shape, begin and step of a Slice node along every axis.</summary>
    public static (long[] Shape, long[] Begin, long[] Step) SliceGeometry(OnnxNode node, long opset, long[] x, Func<int, OnnxTensor?> constant)
    {
        long[] starts, ends, axes, steps;
        if (opset < 10)
        {
            starts = node.GetInts("starts") ?? throw new ModelFormatException($"node {node}: starts missing");
            ends = node.GetInts("ends") ?? throw new ModelFormatException($"node {node}: ends missing");
            axes = node.GetInts("axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        else
        {
            starts = (constant(1) ?? throw new ModelFormatException($"node {node}: starts are not constant")).AsInt64s();
            ends = (constant(2) ?? throw new ModelFormatException($"node {node}: ends are not constant")).AsInt64s();
            axes = constant(3)?.AsInt64s() ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = constant(4)?.AsInt64s() ?? Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        var begin = new long[x.Length];
        var step = Enumerable.Repeat(1L, x.Length).ToArray();
        var shape = x.ToArray();
        for (int i = 0; i < starts.Length; i++)
        {
            int a = TensorLayout.Axis(axes[i], x.Length);
            long dim = x[a], s = steps[i];
            if (s == 0) throw new ModelFormatException($"node {node}: slice step 0");
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
        return (shape, begin, step);
    }

    private static void Split(ShapeContext c)
    {
        long[] x = c.Shape(0);
        int axis = TensorLayout.Axis(c.Node.GetInt("axis", 0), x.Length);
        int outputs = c.Node.Outputs.Count;
        long[] parts = c.Has(1) ? c.ConstInts(1, "the split sizes")
            : c.Node.GetInts("split") ?? EqualParts(x[axis], c.Node.GetInt("num_outputs", outputs));
        if (parts.Length != outputs || parts.Sum() != x[axis])
            throw c.Fail($"split sizes [{string.Join(", ", parts)}] do not divide axis {axis} of size {x[axis]} into {outputs} outputs");
        for (int i = 0; i < outputs; i++)
        {
            var shape = x.ToArray();
            shape[axis] = parts[i];
            c.Set(i, shape);
        }
    }

    /// <summary>Opset 18's num_outputs: equal parts, the last one smaller when the axis does not divide.</summary>
    private static long[] EqualParts(long size, long count)
    {
        long part = (size + count - 1) / count;
        return Enumerable.Range(0, (int)count).Select(i => Math.Max(0, Math.Min(part, size - i * part))).ToArray();
    }

    private static void Gather(ShapeContext c)
    {
        long[] data = c.Shape(0);
        long[] indicesShape = c.Shape(1);
        int axis = TensorLayout.Axis(c.Node.GetInt("axis", 0), data.Length);
        long[] outShape = [.. data[..axis], .. indicesShape, .. data[(axis + 1)..]];
        var source = c.Const(0);
        var indices = c.Const(1);
        if (source is null || indices is null)
        {
            c.Set(0, outShape);
            return;
        }
        c.SetMapped(source, outShape, GatherIndex(data, axis, indices.AsInt64s()));
    }

    /// <summary>CumSum: running sums along an axis (exclusive: without the element itself; reverse: from the end),
    /// folded for constants.</summary>
    private static void CumSum(ShapeContext c)
    {
        long[] x = c.Shape(0);
        var value = c.Const(0);
        if (value is null)
        {
            c.Set(0, x);
            return;
        }
        int axis = TensorLayout.Axis(c.ConstInts(1, "the axis")[0], x.Length);
        bool exclusive = c.Node.GetInt("exclusive", 0) != 0, reverse = c.Node.GetInt("reverse", 0) != 0;
        var values = value.AsDoubles();
        var result = new double[values.Length];
        long inner = TensorLayout.Count(x.AsSpan(axis + 1)), length = x[axis], outer = values.LongLength / Math.Max(1, length * inner);
        for (long o = 0; o < outer; o++)
            for (long i = 0; i < inner; i++)
            {
                double sum = 0;
                for (long k = 0; k < length; k++)
                {
                    long at = (o * length + (reverse ? length - 1 - k : k)) * inner + i;
                    if (exclusive) { result[at] = sum; sum += values[at]; }
                    else { sum += values[at]; result[at] = sum; }
                }
            }
        c.Set(0, x, value.IsFloatingPoint ? OnnxTensor.FromFloats(c.Node.Outputs[0], x, result)
            : OnnxTensor.FromInts(c.Node.Outputs[0], x, result.Select(v => (long)v).ToArray()));
    }

    /// <summary>Trilu: the upper (j - i ≥ k) or lower (j - i ≤ k) triangle of the last two axes, zeros elsewhere.</summary>
    private static void Trilu(ShapeContext c)
    {
        long[] x = c.Shape(0);
        if (x.Length < 2) throw c.Fail($"input of rank {x.Length}; expected at least 2");
        var value = c.Const(0);
        var kValue = c.Has(1) ? c.Const(1) : null;
        if (value is null || (c.Has(1) && kValue is null))
        {
            c.Set(0, x);
            return;
        }
        long k = kValue?.AsInt64s()[0] ?? 0;
        bool upper = c.Node.GetInt("upper", 1) != 0;
        long rows = x[^2], cols = x[^1];
        var values = value.AsDoubles();
        for (long e = 0; e < values.LongLength; e++)
        {
            long i = e / cols % rows, j = e % cols;
            if (upper ? j - i < k : j - i > k) values[e] = 0;
        }
        c.Set(0, x, value.IsFloatingPoint ? OnnxTensor.FromFloats(c.Node.Outputs[0], x, values)
            : OnnxTensor.FromInts(c.Node.Outputs[0], x, values.Select(v => (long)v).ToArray()));
    }

    /// <summary>For each output element of a Gather along <paramref name="axis"/>, its source element's flat index.</summary>
    public static long[] GatherIndex(long[] data, int axis, long[] indices)
    {
        long outer = TensorLayout.Count(data.AsSpan(0, axis)), inner = TensorLayout.Count(data.AsSpan(axis + 1));
        long[] idx = indices.Select(i => i < 0 ? i + data[axis] : i).ToArray();
        var map = new long[outer * idx.Length * inner];
        long k = 0;
        for (long o = 0; o < outer; o++)
            foreach (long i in idx)
                for (long j = 0; j < inner; j++)
                    map[k++] = (o * data[axis] + i) * inner + j;
        return map;
    }

    /// <summary>Begin and end pads of a Pad node per axis (opset 11 on: an input, with optional axes from 18).</summary>
    public static (long[] Begin, long[] End) Pads(OnnxNode node, long opset, long[] x, Func<int, OnnxTensor?> constant)
    {
        long[] pads = opset >= 11
            ? (constant(1) ?? throw new ModelFormatException($"node {node}: pads are not constant")).AsInt64s()
            : node.GetInts("pads") ?? node.GetInts("paddings") ?? throw new ModelFormatException($"node {node}: pads missing");
        long[] axes = constant(3)?.AsInt64s() ?? Enumerable.Range(0, x.Length).Select(i => (long)i).ToArray();
        var begin = new long[x.Length];
        var end = new long[x.Length];
        for (int i = 0; i < axes.Length; i++)
        {
            int a = TensorLayout.Axis(axes[i], x.Length);
            begin[a] = pads[i];
            end[a] = pads[i + axes.Length];
        }
        return (begin, end);
    }

    private static void Pad(ShapeContext c)
    {
        long[] x = c.Shape(0);
        var (begin, end) = Pads(c.Node, c.Opset, x, c.Const);
        c.Set(0, x.Select((d, i) => d + begin[i] + end[i]).ToArray());
    }

    private static void ScatterND(ShapeContext c)
    {
        long[] shape = c.Shape(0);
        var (data, indices, updates) = (c.Const(0), c.Const(1), c.Const(2));
        if (data is null || indices is null || updates is null || TensorLayout.Count(shape) > 1 << 24)
        {
            c.Set(0, shape);
            return;
        }
        // indices [..., k] address the first k axes; each update is a slice of the remaining axes.
        long[] idx = indices.AsInt64s();
        int k = (int)indices.Shape[^1];
        long slice = TensorLayout.Count(shape.AsSpan(k));
        string reduction = c.Node.GetString("reduction", "none");
        if (data.IsFloatingPoint || updates.IsFloatingPoint)
            c.SetFloats(shape, Scatter(data.AsDoubles().ToArray(), updates.AsDoubles(), idx, k, shape, slice, reduction));
        else
            c.SetInts(shape, Scatter(data.AsInt64s().ToArray(), updates.AsInt64s(), idx, k, shape, slice, reduction));
    }

    /// <summary>ScatterND on flat values: update i (a slice of <paramref name="slice"/> values) lands at the first
    /// k axes indexed by idx[i·k ..], replacing, adding or multiplying.</summary>
    private static T[] Scatter<T>(T[] values, T[] updates, long[] idx, int k, long[] shape, long slice, string reduction)
        where T : System.Numerics.INumber<T>
    {
        long[] strides = TensorLayout.Strides(shape);
        long count = idx.Length / Math.Max(1, k);
        for (long i = 0; i < count; i++)
        {
            long offset = 0;
            for (int a = 0; a < k; a++) offset += (idx[i * k + a] < 0 ? idx[i * k + a] + shape[a] : idx[i * k + a]) * strides[a];
            for (long j = 0; j < slice; j++)
                values[offset + j] = reduction switch
                {
                    "add" => values[offset + j] + updates[i * slice + j],
                    "mul" => values[offset + j] * updates[i * slice + j],
                    _ => updates[i * slice + j],
                };
        }
        return values;
    }

    private static IEnumerable<(string, string)> ReshapeBack(GradientContext c) => [(c.X, c.W.ReshapeLike(c.G(), c.X))];

    private static IEnumerable<(string, string)> TransposeBack(GradientContext c)
    {
        int rank = c.ShapeOf(c.X).Length;
        int[] perm = Permutation(c.Node, rank);
        var inverse = new long[rank];
        for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
        return [(c.X, c.W.Add("Transpose", [c.G()], null, GraphBuilder.Ints("perm", inverse)))];
    }

    private static IEnumerable<(string, string)> TileBack(GradientContext c)
    {
        long[] x = c.ShapeOf(c.X);
        long[] repeats = c.ConstantTensor(1)?.AsInt64s() ?? throw c.Fail("the repeats are not constant");
        if (repeats[0] != 1) throw c.Fail("tiling along the batch axis");
        // Output axis i holds repeats[i] copies of the input axis: view it as [repeats[i], x[i]] and sum the copies.
        var view = new List<long> { 0 };
        for (int i = 1; i < x.Length; i++) view.AddRange([repeats[i], x[i]]);
        string viewed = c.W.Add("Reshape", [c.G(), c.W.Int64s(view.ToArray())]);
        long[] axes = Enumerable.Range(1, x.Length - 1).Select(i => (long)(2 * i - 1)).ToArray();
        return [(c.X, c.W.ReduceSum(viewed, axes, keepDims: false))];
    }

    private static IEnumerable<(string, string)> ConcatBack(GradientContext c)
    {
        int rank = c.ShapeOf(c.Y).Length;
        long axis = TensorLayout.Axis(c.Node.GetInt("axis", 0), rank);
        if (axis == 0) throw c.Fail("concatenation along the batch axis");
        long offset = 0;
        var result = new List<(string, string)>();
        foreach (var input in c.Node.Inputs.Where(i => i.Length > 0))
        {
            long size = c.ShapeOf(input)[axis];
            if (c.IsDependent(input)) result.Add((input, c.W.Slice(c.G(), [offset], [offset + size], [axis])));
            offset += size;
        }
        return result;
    }

    private static IEnumerable<(string, string)> SplitBack(GradientContext c)
    {
        int rank = c.ShapeOf(c.X).Length;
        long axis = TensorLayout.Axis(c.Node.GetInt("axis", 0), rank);
        var parts = c.Node.Outputs.Select((o, i) => c.GradientOf(i) ?? c.W.ZerosLike(o)).ToList();
        return [(c.X, c.W.Add("Concat", parts, null, GraphBuilder.Int("axis", axis)))];
    }

    /// <summary>A slice with unit steps: the gradient padded back with zeros to the input's extent.</summary>
    private static IEnumerable<(string, string)> SliceBack(GradientContext c)
    {
        long[] x = c.ShapeOf(c.X);
        var (shape, begin, step) = SliceGeometry(c.Node, c.W.Opset, x, c.ConstantTensor);
        if (step.Any(s => s < 1)) throw c.Fail("slices with negative steps");
        // The examples' axis (0 but for time-major tensors and what is transposed from them) is never sliced.
        int b = c.BatchAxis(c.X);
        if (begin[b] != 0 || shape[b] != x[b] || step[b] != 1) throw c.Fail("slicing the batch axis");
        // Along an axis of step s the m picked elements sit s apart: spread g by interleaving s - 1 zeros after each
        // element (unsqueeze, pad the new axis, merge it back), trim what runs past the input, then pad into place.
        var w = c.W;
        string g = c.G();
        long[] extent = (long[])shape.Clone();
        for (int a = 0; a < x.Length; a++)
        {
            if (step[a] == 1 || a == b) continue;
            var padEnd = new long[x.Length + 1];
            padEnd[a + 1] = step[a] - 1;
            string spread = w.Pad(w.Unsqueeze(g, [a + 1]), new long[x.Length + 1], padEnd);
            extent[a] = shape[a] * step[a];
            long[] merged = extent.Select((d, i) => i == b ? 0 : d).ToArray();
            g = w.Add("Reshape", [spread, w.Int64s(merged)]);
            if (extent[a] > x[a] - begin[a])
            {
                extent[a] = x[a] - begin[a];
                g = w.Slice(g, [0], [extent[a]], [a]);
            }
        }
        long[] after = x.Select((d, i) => d - begin[i] - extent[i]).ToArray();
        return [(c.X, w.Pad(g, begin, after))];
    }

    /// <summary>A gather by constant indices: the gradient scattered back (added where an index repeats, opset 16 on).
    /// Works along any axis, the batch's included (Swin gathers q, k and v from axis 0 of a [3, windows, ...] tensor).</summary>
    private static IEnumerable<(string, string)> GatherBack(GradientContext c)
    {
        var w = c.W;
        long[] data = c.ShapeOf(c.X);
        int axis = TensorLayout.Axis(c.Node.GetInt("axis", 0), data.Length);
        var indices = c.ConstantTensor(1) ?? throw c.Fail("the indices vary with the input");
        if (indices.Shape.Length > 1) throw c.Fail("indices of rank 2 or more");
        long[] idx = indices.AsInt64s().Select(i => i < 0 ? i + data[axis] : i).ToArray();
        bool repeated = idx.Distinct().Count() != idx.Length;
        if (repeated && w.Opset < 16) throw c.Fail($"repeated indices need opset 16 for their gradient; the model has opset {w.Opset}");
        // g has the data's shape with the gathered axis of length |indices| (absent for a scalar index: put it back).
        string updates = indices.Shape.Length == 0 ? w.Unsqueeze(c.G(), [axis]) : c.G();
        // Index tensor of the updates' shape: idx along the axis, broadcast over the others.
        long[] idxShape = Enumerable.Range(0, data.Length).Select(a => a == axis ? (long)idx.Length : 1L).ToArray();
        string index = w.Add("Expand", [w.Int64s(idx, idxShape), w.Add("Shape", [updates])]);
        var attributes = new List<Protos.AttributeProto> { GraphBuilder.Int("axis", axis) };
        if (repeated) attributes.Add(GraphBuilder.String("reduction", "add"));
        string scattered = w.Add(w.Opset >= 11 ? "ScatterElements" : "Scatter", [w.ZerosLike(c.X), index, updates], null, [.. attributes]);
        return [(c.X, scattered)];
    }

    private static IEnumerable<(string, string)> PadBack(GradientContext c)
    {
        string mode = c.Node.GetString("mode", "constant");
        if (mode != "constant") throw c.Fail($"mode '{mode}' (only constant padding is supported)");
        long[] x = c.ShapeOf(c.X);
        var (begin, end) = Pads(c.Node, c.W.Opset, x, c.ConstantTensor);
        if (begin.Concat(end).Any(p => p < 0)) throw c.Fail("negative pads (cropping)");
        long[] shape = c.ShapeOf(c.Y);
        var axes = Enumerable.Range(0, x.Length).Where(a => begin[a] != 0 || end[a] != 0).Select(a => (long)a).ToArray();
        if (axes.Length == 0) return [(c.X, c.G())];
        if (axes.Contains(0)) throw c.Fail("padding along the batch axis");
        return [(c.X, c.W.Slice(c.G(), axes.Select(a => begin[a]).ToArray(), axes.Select(a => shape[a] - end[a]).ToArray(), axes))];
    }
}
