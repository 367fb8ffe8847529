using Analyzer.Onnx;
using Analyzer.Onnx.Gradients;
using Analyzer.Onnx.Inference;
using Analyzer.Onnx.Shapes;

namespace Analyzer.TestSupport;

/// <summary>
/// Checks the generated input-gradient graph of a float32 model against central finite differences of the same
/// objective computed in float64 (<see cref="Float64Reference"/>), at a random input of two examples and random
/// positive masks. Operators ONNX Runtime runs in float32 only and that are linear in their data (Resize, Upsample,
/// ConvTranspose) are checked against the model itself in float32, with a step large enough for float32 differences
/// (<c>float32Step</c>): its own kernels are the independent reference.
/// </summary>
public static class GradientCheck
{
    /// <returns>The largest |analytic - numeric| and the largest |numeric| over the checked elements.</returns>
    /// <param name="elements">How many input elements per example to check (all when null), chosen at random.</param>
    /// <param name="unitAxes">Per target, the axis its units are on (1 when null).</param>
    /// <param name="float32Step">When given, the finite differences run the float32 model itself with this step.</param>
    public static (double MaxError, double Scale) Compare(string path, IReadOnlyList<string> targets, int seed = 0,
        int? elements = null, double step = 1e-6, double inputScale = 1, long opsetFloor = 0, IReadOnlyList<int>? unitAxes = null,
        double? float32Step = null)
    {
        if (float32Step is { } larger) step = larger;
        var file = OnnxModelFile.Load(path);
        var shapes = ShapeInference.Infer(file.Graph);
        int Axis(int t) => unitAxes?[t] ?? 1;
        var gradientModel = InputGradientGraph.Build(file, shapes, targets, unitAxes: targets.Select((_, t) => Axis(t)).ToList());
        string input = file.Graph.Inputs[0].Name;
        long[] perExample = shapes.ShapeOf(input)[1..];
        int size = (int)perExample.Aggregate(1L, (a, d) => a * d);
        var rng = new Random(seed);
        const int rows = 2;
        var x = Enumerable.Range(0, rows * size).Select(_ => inputScale * (2 * rng.NextDouble() - 1)).ToArray();
        var masks = targets.Select((t, i) => Enumerable.Range(0, rows * (int)shapes.ShapeOf(t)[Axis(i)]).Select(_ => 0.5 + rng.NextDouble()).ToArray()).ToList();

        float[] analytic;
        using (var session = OnnxSession.Create(gradientModel.Bytes, path, ExecutionDevice.Cpu))
        {
            var inputs = new List<TensorInput> { new(input, x.Select(v => (float)v).ToArray(), [rows, .. perExample]) };
            for (int t = 0; t < targets.Count; t++)
                inputs.Add(new(InputGradientGraph.MaskInput(t), masks[t].Select(v => (float)v).ToArray(), [rows, shapes.ShapeOf(targets[t])[Axis(t)]]));
            analytic = session.Run(inputs, [InputGradientGraph.GradientOutput])[0].Data;
        }

        var chosen = Enumerable.Range(0, size).ToArray();
        if (elements is { } count && count < size)
        {
            rng.Shuffle(chosen);
            chosen = chosen[..count];
        }
        var probes = new List<(int Row, int Element, double Sign)>();
        for (int r = 0; r < rows; r++)
            foreach (int e in chosen)
            {
                probes.Add((r, e, +1));
                probes.Add((r, e, -1));
            }
        var reference = float32Step is null ? Float64Reference.Convert(path, targets, opsetFloor) : Float32Reference(path, targets);
        using var referenceSession = OnnxSession.Create(reference, path, ExecutionDevice.Cpu, exactGraph: true);
        var objective = new double[probes.Count];
        const int chunk = 16;
        for (int start = 0; start < probes.Count; start += chunk)
        {
            int n = Math.Min(chunk, probes.Count - start);
            var batch = new double[n * size];
            for (int i = 0; i < n; i++)
            {
                var (row, element, sign) = probes[start + i];
                Array.Copy(x, row * size, batch, i * size, size);
                batch[i * size + element] += sign * step;
            }
            var outputs = float32Step is null
                ? referenceSession.RunFloat64([TensorInput.Float64(input, batch, [n, .. perExample])], targets)
                : referenceSession.Run([new TensorInput(input, batch.Select(v => (float)v).ToArray(), [n, .. perExample])], targets)
                    .Select(o => (o.Data.Select(v => (double)v).ToArray(), o.Shape)).ToList();
            for (int i = 0; i < n; i++)
            {
                double total = 0;
                for (int t = 0; t < targets.Count; t++)
                {
                    var (data, shape) = outputs[t];
                    int axis = Axis(t), units = (int)shape[axis];
                    // Element (row, outer, unit, inner) with the units on `axis`.
                    int outer = (int)shape[1..axis].Aggregate(1L, (a, d) => a * d), inner = (int)shape[(axis + 1)..].Aggregate(1L, (a, d) => a * d);
                    for (int o = 0; o < outer; o++)
                        for (int c = 0; c < units; c++)
                            for (int s = 0; s < inner; s++)
                                total += masks[t][probes[start + i].Row * units + c] * Math.Abs(data[((i * outer + o) * units + c) * inner + s]);
                }
                objective[start + i] = total;
            }
        }
        double maxError = 0, scale = 0;
        for (int p = 0; p < probes.Count; p += 2)
        {
            var (row, element, _) = probes[p];
            double numeric = (objective[p] - objective[p + 1]) / (2 * step);
            maxError = Math.Max(maxError, Math.Abs(analytic[row * size + element] - numeric));
            scale = Math.Max(scale, Math.Abs(numeric));
        }
        return (maxError, scale);
    }

    /// <summary>Asserts the analytic gradient equals the float64 finite differences to <paramref name="relative"/> of the
    /// gradient's largest element (float32 arithmetic in the analytic graph).</summary>
    public static void AssertMatches(string path, IReadOnlyList<string> targets, int seed = 0, int? elements = null,
        double relative = 1e-4, double inputScale = 1, long opsetFloor = 0, IReadOnlyList<int>? unitAxes = null, double? float32Step = null)
    {
        var (error, scale) = Compare(path, targets, seed, elements, inputScale: inputScale, opsetFloor: opsetFloor, unitAxes: unitAxes,
            float32Step: float32Step);
        Xunit.Assert.True(scale > 0, "the gradient is zero everywhere checked; the check would prove nothing");
        Xunit.Assert.True(error <= relative * scale, $"max |analytic - finite difference| = {error:G4}, largest gradient {scale:G4} (allowed {relative:G2} of it)");
    }

    /// <summary>The float32 model with the targets as extra outputs and a symbolic batch.</summary>
    private static byte[] Float32Reference(string path, IReadOnlyList<string> targets)
    {
        var model = Analyzer.Onnx.Protos.ModelProto.Parser.ParseFrom(OnnxModelFile.Load(path).ToBytes());
        var existing = model.Graph.Output.Select(o => o.Name).ToHashSet();
        foreach (var name in targets.Where(n => !existing.Contains(n)))
            model.Graph.Output.Add(Analyzer.Onnx.Building.GraphBuilder.Value(name, 1));
        model.Graph.ValueInfo.Clear();
        Analyzer.Onnx.Building.GraphBuilder.SymbolicBatch(model.Graph);
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }
}
