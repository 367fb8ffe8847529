using Analyzer.Core.Memory;
using Analyzer.Core.Networks;
using Analyzer.Core.Datasets;
using Analyzer.Onnx.Inference;
using Analyzer.Onnx.Rewriting;

namespace Analyzer.Core.Activations;

/// <summary>
/// Records every unit's pre-activation on a sample of examples through ONNX Runtime (extra graph outputs), batch by
/// batch; conv maps are reduced to Σ|a| over space where ONNX Runtime wrote them, as each batch arrives, so memory
/// holds [samples x units] and one batch, not the maps, and no managed copy of them is made.
/// </summary>
public static class ActivationCapture
{
    /// <returns>[samples x units] row-major, units of the points in order; with <paramref name="unitMajor"/>, [units x
    /// samples] (one unit's samples per row, as ranking them wants, with no second copy).</returns>
    /// <param name="memoryBudget">What one batch may take (its maps and the model's activations; default
    /// <see cref="MemoryBudget.Default"/>); the batch size follows from it.</param>
    public static double[] Capture(ModelNetwork network, ImageDataset data, IReadOnlyList<int> examples,
        IReadOnlyList<PreActivationPoint> points, Preprocessing preprocessing, ExecutionDevice device, MemoryBudget? memoryBudget = null,
        Action<string>? note = null, Action<int>? progress = null, bool unitMajor = false)
    {
        data = network.Fit(data, note);
        // A batch holds its input, the captured maps (outputs of the run) and what ONNX Runtime computes on the way:
        // every activation of the model counts (an upper bound).
        long bytesPerExample = 4L * (data.ExampleSize + network.ActivationValuesPerExample() + points.Sum(p => network.Shapes.ShapeOf(p.Tensor).Skip(1).Aggregate(1L, (a, d) => a * d)));
        int batchSize = network.BatchLimit(note) == 1 ? 1 : (int)Math.Clamp((memoryBudget ?? MemoryBudget.Default).Bytes / Math.Max(1, bytesPerExample), 1, 1024);
        var model = ExtraOutputs.Add(network.File, points.Select(p => p.Tensor).ToList());
        network.NotePrecision(note);
        using var session = OnnxSession.Create(model.Bytes, network.Path, device, 0, note);
        int units = points.Sum(p => p.NodeSet.Units);
        var result = new double[(long)examples.Count * units];
        int sampleCount = examples.Count;
        // Where example e's unit u goes.
        long At(long e, long u) => unitMajor ? u * sampleCount + e : e * units + u;
        int exampleSize = data.ExampleSize;
        var inputShape = network.Shapes.ShapeOf(network.Graph.Inputs[0].Name);
        var gathered = new float[batchSize * exampleSize];
        var offsets = new int[points.Count];
        for (int p = 1; p < points.Count; p++) offsets[p] = offsets[p - 1] + points[p - 1].NodeSet.Units;
        var single = new float[exampleSize];
        for (int start = 0; start < examples.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, examples.Count - start);
            for (int i = 0; i < count; i++)
            {
                data.FillBatch(examples[start + i], 1, single, preprocessing);
                Array.Copy(single, 0, gathered, i * exampleSize, exampleSize);
            }
            int batchStart = start;
            session.Run([new TensorInput(model.Inputs[0], gathered[..(count * exampleSize)], [count, .. inputShape.Skip(1)])], model.Outputs,
                (output, values, _) =>
                {
                    for (int index = 0; index < points.Count; index++)
                    {
                        if (points[index].Tensor != model.Outputs[output]) continue;
                        int offset = offsets[index];
                        Reduce(network, points[index], values, count, result, (e, u) => At(batchStart + e, offset + u));
                    }
                });
            progress?.Invoke(count);
        }
        return result;
    }

    /// <summary>One captured tensor of a batch of <paramref name="count"/> examples, reduced per example and unit into
    /// result[at(example, unit)].</summary>
    private static void Reduce(ModelNetwork network, PreActivationPoint point, ReadOnlySpan<float> values, int count, double[] result,
        Func<long, long, long> at)
    {
        int c = point.NodeSet.Units;
        long[] shape = network.Shapes.ShapeOf(point.Tensor);
        if (network.BatchAxis(point.Tensor) is var batchAxis and > 0)
        {
            TimeMajor(values, shape, batchAxis, point.UnitAxis, count, c, result, at);
            return;
        }
        // Element (example, outer, unit, inner), the units on the point's axis; L1 over outer and inner.
        int outer = (int)shape[1..point.UnitAxis].Aggregate(1L, (a, d) => a * d);
        int inner = (int)shape[(point.UnitAxis + 1)..].Aggregate(1L, (a, d) => a * d);
        for (int e = 0; e < count; e++)
            for (int u = 0; u < c; u++)
            {
                double sum = 0;
                if (point.Rank > 2)
                {
                    for (int o = 0; o < outer; o++)
                        foreach (float v in values.Slice((int)((((long)e * outer + o) * c + u) * inner), inner)) sum += Math.Abs(v);
                }
                else
                    sum = values[e * c + u];
                result[at(e, u)] = sum;
            }
    }

    /// <summary>The L1 norm per example and unit of a tensor whose examples lie on axis <paramref name="batchAxis"/>
    /// (a time-major [T, N, units] around a recurrent layer): each element is added to its example's unit.</summary>
    private static void TimeMajor(ReadOnlySpan<float> values, long[] shape, int batchAxis, int unitAxis, int count, int c, double[] result,
        Func<long, long, long> at)
    {
        long[] batched = (long[])shape.Clone();
        batched[batchAxis] = count;
        long batchStride = Stride(batched, batchAxis), unitStride = Stride(batched, unitAxis);
        for (int i = 0; i < values.Length; i++)
        {
            long e = i / batchStride % count, u = i / unitStride % c;
            result[at(e, u)] += Math.Abs(values[i]);
        }
    }

    private static long Stride(long[] shape, int axis) => shape[(axis + 1)..].Aggregate(1L, (a, d) => a * d);

    /// <summary>docs/method.md §3: <paramref name="count"/> examples drawn without replacement with the seed, in index order.</summary>
    public static int[] Sample(int available, int count, int seed)
    {
        if (count >= available) return Enumerable.Range(0, available).ToArray();
        var rng = new Random(seed);
        var pool = Enumerable.Range(0, available).ToArray();
        for (int i = 0; i < count; i++)
        {
            int j = i + rng.Next(available - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        var chosen = pool[..count];
        Array.Sort(chosen);
        return chosen;
    }
}
