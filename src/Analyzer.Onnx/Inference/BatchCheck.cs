using Analyzer.Onnx.Rewriting;

namespace Analyzer.Onnx.Inference;

/// <summary>
/// Confirms that a model whose fixed-batch shapes were repaired (<see cref="BatchRepair"/>) computes, for two examples
/// in one run, what it computes for each alone; when it does not, the model is limited to one example per run
/// (<see cref="OnnxModelFile.BatchLimit"/>). Models that needed no repair are not run.
/// </summary>
public static class BatchCheck
{
    /// <returns>The batch limit after the check, and a note for the user when something was repaired or limited.</returns>
    public static (int Limit, string? Note) Confirm(OnnxModelFile file)
    {
        if (file.BatchLimit == 1)
            return (1, $"{file.Path}: shapes fixed to one example that Analyzer cannot repair; the model runs one example at a time (slower)");
        if (file.RepairedReshapes == 0) return (0, null);
        var input = file.Graph.Inputs[0];
        long[] shape = Shapes.ShapeInference.Infer(file.Graph).ShapeOf(input.Name);
        int size = (int)shape.Skip(1).Aggregate(1L, (a, d) => a * d);
        string output = file.Graph.Outputs[0].Name;
        var model = ExtraOutputs.Add(file, [output]);
        using var session = OnnxSession.Create(model.Bytes, file.Path, ExecutionDevice.Cpu);
        var rng = new Random(0);
        var both = Enumerable.Range(0, 2 * size).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] Run(float[] x, int n) => session.Run([new TensorInput(input.Name, x, [n, .. shape[1..]])], [output])[0].Data;
        bool agrees;
        try
        {
            var together = Run(both, 2);
            var first = Run(both[..size], 1);
            var second = Run(both[size..], 1);
            var separate = first.Concat(second).ToArray();
            double scale = separate.Max(v => Math.Abs(v)) + 1e-12;
            agrees = together.Length == separate.Length && together.Zip(separate).All(p => Math.Abs(p.First - p.Second) <= 1e-3 * scale);
        }
        catch (InferenceException)
        {
            agrees = false;
        }
        if (agrees)
            return (0, $"{file.Path}: {file.RepairedReshapes} reshape target(s) fixed to one example were made batch-independent");
        file.BatchLimit = 1;
        return (1, $"{file.Path}: shapes fixed to one example that Analyzer cannot repair; the model runs one example at a time (slower)");
    }
}
