using Analyzer.Core.Errors;
using Analyzer.Core.Datasets;
using Analyzer.Core.Graphs;
using Analyzer.Onnx;
using Analyzer.Onnx.Inference;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;

namespace Analyzer.Core.Networks;

/// <summary>A loaded model with its inferred shapes, traced layers and node sets: the starting point of every verb.</summary>
public sealed class ModelNetwork
{
    private ModelNetwork(string path, OnnxModelFile file, InferredShapes shapes, NeuronGraph neurons)
    {
        Path = path;
        File = file;
        Graph = file.Graph;
        Shapes = shapes;
        Neurons = neurons;
    }

    /// <summary>The model file as the user named it.</summary>
    public string Path { get; }
    /// <summary>The parsed file, which every rewrite of the model starts from (parsed once per process).</summary>
    public OnnxModelFile File { get; }
    public OnnxGraph Graph { get; }
    public InferredShapes Shapes { get; }
    public NeuronGraph Neurons { get; }
    public string Sha256 => Graph.Sha256;

    /// <summary>
    /// The dataset as this model reads it: named arrays put in the order of the model's inputs (<see cref="OnnxModelFile.PackedInputs"/>),
    /// images of another size or channel count fitted to an image input (<see cref="ImageDataset.FitTo"/>, said through
    /// <paramref name="note"/>); data that cannot fit is refused by name.
    /// </summary>
    public ImageDataset Fit(ImageDataset data, Action<string>? note)
    {
        if (data.Fields is { } fields && File.PackedInputs is { } packed)
            return Arranged(data, fields, packed);
        long[] input = Shapes.ShapeOf(Graph.Inputs[0].Name);
        long perExample = input.Skip(1).Aggregate(1L, (a, d) => a * d);
        if (perExample == data.ExampleSize && (input.Length != 4 || input[1] == data.Channels))
            return data;
        // Only 8-bit images are resized to a model's input; arrays of numbers and feature vectors must fit as they are.
        if (input.Length != 4 || data.IsArray || data.IsVector)
            throw new DataFormatException($"{data.Source}: examples of {Dims(data)} do not fit input '{Graph.Inputs[0].Name}' of {Path}, " +
                $"[N, {string.Join(", ", input.Skip(1))}] ({perExample} values per example); " +
                (data.IsArray || data.IsVector ? "arrays of numbers and feature vectors are used as they are, never resized" : "only images are fitted to an image input"));
        var fitted = data.FitTo((int)input[1], (int)input[2], (int)input[3], out var description);
        if (description is not null) note?.Invoke(description);
        return fitted;
    }

    /// <summary>The data's named arrays in the order of the model's inputs, each of the input's sizes; one array for a
    /// model of one input whatever its name.</summary>
    private ImageDataset Arranged(ImageDataset data, IReadOnlyList<DataField> fields, IReadOnlyList<Onnx.Rewriting.PackedInput> packed)
    {
        string Names(IEnumerable<string> names) => string.Join(", ", names);
        var order = new List<DataField>();
        foreach (var input in packed)
        {
            var field = fields.FirstOrDefault(f => f.Name == input.Name) ?? (fields.Count == 1 && packed.Count == 1 ? fields[0] : null)
                ?? throw new DataFormatException($"{data.Source}: no array named {input.Name}, an input of {Path} (its inputs: {Names(packed.Select(p => p.Name))}; the data's arrays: {Names(fields.Select(f => f.Name))})");
            if (!field.Dims.SequenceEqual(input.Dims))
                throw new DataFormatException($"{data.Source}: array {field.Name} has examples of [{string.Join(", ", field.Dims)}]; input '{input.Name}' of {Path} takes [N, {string.Join(", ", input.Dims)}]");
            order.Add(field);
        }
        foreach (var extra in fields.Where(f => !order.Contains(f)))
            throw new DataFormatException($"{data.Source}: array {extra.Name} is not an input of {Path} (its inputs: {Names(packed.Select(p => p.Name))})");
        if (order.SequenceEqual(fields)) return data;
        var offsets = new Dictionary<DataField, long>();
        long at = 0;
        foreach (var f in fields)
        {
            offsets[f] = at;
            at += f.Size;
        }
        var values = new float[(long)data.Count * at];
        var source = new float[(long)data.Count * at];
        data.FillBatch(0, data.Count, source, Preprocessing.Default);
        for (long e = 0; e < data.Count; e++)
        {
            long to = e * at;
            foreach (var f in order)
            {
                Array.Copy(source, e * at + offsets[f], values, to, f.Size);
                to += f.Size;
            }
        }
        var arranged = ImageDataset.FromFields(data.Source, values, order, data.Labels, data.Classes, data.PositionLabels);
        return data.HasLabels ? arranged : arranged.Unlabelled();
    }

    private static string Dims(ImageDataset data) =>
        data.IsVector ? $"{data.Width} values" : $"{data.Channels}x{data.Height}x{data.Width} ({data.ExampleSize} values)";

    /// <summary>Says once which free input sizes were fixed (by the data or by the input-shape setting), and where the
    /// analysed graph ends when the model's output was post-processed.</summary>
    public void NoteAdaptations(Action<string>? note, bool fromData)
    {
        if (File.PostProcessing is { } post)
            note?.Invoke($"{Path}: its output comes through {post}, which decides from scores rather than computes with units; analysed up to the scores it reads, '{Graph.Outputs[0].Name}'");
        foreach (var (input, dims) in File.FixedInputs)
            note?.Invoke($"input '{input}' of {Path} has free sizes; analysed at [N, {string.Join(", ", dims)}] " +
                (fromData ? "(from the data's examples; --input-shape sets others)" : "(--input-shape)"));
    }

    /// <summary>The sizes free input dimensions were fixed at, per input (results files); null when none were free.</summary>
    public IReadOnlyDictionary<string, long[]>? InputShapesEntry() =>
        File.FixedInputs.Count == 0 ? null : File.FixedInputs.ToDictionary(f => f.Input, f => f.Dims);

    /// <summary>The fixed sizes as one line for checkpoint identities; null when none were free.</summary>
    public string? FixedInputShapes() =>
        File.FixedInputs.Count == 0 ? null : string.Join(";", File.FixedInputs.Select(f => $"{f.Input}={string.Join("x", f.Dims)}"));

    private IReadOnlyDictionary<string, int>? batchAxes;

    /// <summary>The axis of <paramref name="tensor"/> that holds the examples: 0 but in time-major tensors around a
    /// recurrent layer ([T, N, I]).</summary>
    public int BatchAxis(string tensor) => (batchAxes ??= ShapeInference.BatchAxes(Graph)).GetValueOrDefault(tensor, 0);

    private (int Limit, string? Note)? batch;

    /// <summary>The most examples one ONNX Runtime run may hold (0: any), checked on first use by running the model
    /// when its fixed-batch shapes were repaired (docs/method.md §10); says what was done through
    /// <paramref name="note"/>.</summary>
    public int BatchLimit(Action<string>? note)
    {
        batch ??= BatchCheck.Confirm(File);
        if (batch.Value.Note is { } said) note?.Invoke(said);
        return batch.Value.Limit;
    }

    /// <summary>The tensors the nodes from <paramref name="firstNode"/> on compute that depend on the data and have a
    /// known shape: what ONNX Runtime may hold while it runs the model from there.</summary>
    public IEnumerable<string> Activations(int firstNode = 0) => Graph.Nodes.Skip(Math.Max(0, firstNode)).SelectMany(n => n.Outputs)
        .Where(t => t.Length > 0 && !Shapes.IsConstant(t) && Shapes.Shapes.ContainsKey(t));

    /// <summary>Values of one example of a tensor, from the inferred shapes (unknown dimensions count as 1).</summary>
    public long ValuesPerExample(string tensor) => Shapes.ShapeOf(tensor).Skip(1).Aggregate(1L, (a, d) => a * Math.Max(1, d));

    /// <summary>Values per example of every activation from <paramref name="firstNode"/> on (an upper bound of what a
    /// run holds per row; ONNX Runtime frees tensors after their last use).</summary>
    public long ActivationValuesPerExample(int firstNode = 0) => Activations(firstNode).Sum(ValuesPerExample);

    /// <summary>Says once, through <paramref name="note"/>, that a float16 or bfloat16 model is computed in float32.</summary>
    public void NotePrecision(Action<string>? note)
    {
        if (File.Widened) note?.Invoke($"{Path} is stored in float16/bfloat16; it is computed in float32 (an exact widening of its weights)");
    }

    /// <summary>Loads and traces a model, its free input sizes fixed by <paramref name="inputShapes"/>; throws
    /// <see cref="ModelFormatException"/> for unusable files.</summary>
    public static ModelNetwork Load(string path, InputShapes? inputShapes = null) => Load(path, OnnxModelFile.Load(path, inputShapes));

    /// <summary>Traces an already parsed model file.</summary>
    public static ModelNetwork Load(string path, OnnxModelFile file)
    {
        var shapes = ShapeInference.Infer(file.Graph);
        var trace = NetworkTracer.Trace(file.Graph, shapes);
        return new ModelNetwork(path, file, shapes, NeuronGraphBuilder.Build(trace, path));
    }
}
