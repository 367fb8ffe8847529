using Analyzer.Core.Graphs;
using Analyzer.Onnx;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;

namespace Analyzer.Core.Analysis;

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

    /// <summary>Says once, through <paramref name="note"/>, that a float16 or bfloat16 model is computed in float32.</summary>
    public void NotePrecision(Action<string>? note)
    {
        if (File.Widened) note?.Invoke($"{Path} is stored in float16/bfloat16; it is computed in float32 (an exact widening of its weights)");
    }

    /// <summary>Loads and traces a model; throws <see cref="ModelFormatException"/> for unusable files.</summary>
    public static ModelNetwork Load(string path) => Load(path, OnnxModelFile.Load(path));

    /// <summary>Traces an already parsed model file.</summary>
    public static ModelNetwork Load(string path, OnnxModelFile file)
    {
        var shapes = ShapeInference.Infer(file.Graph);
        var trace = NetworkTracer.Trace(file.Graph, shapes);
        return new ModelNetwork(path, file, shapes, NeuronGraphBuilder.Build(trace, path));
    }
}
