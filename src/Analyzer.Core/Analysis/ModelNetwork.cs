using Analyzer.Core.Graphs;
using Analyzer.Onnx;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;

namespace Analyzer.Core.Analysis;

/// <summary>A loaded model with its inferred shapes, traced layers and node sets: the starting point of every verb.</summary>
public sealed class ModelNetwork
{
    private ModelNetwork(string path, OnnxGraph graph, InferredShapes shapes, NeuronGraph neurons)
    {
        Path = path;
        Graph = graph;
        Shapes = shapes;
        Neurons = neurons;
    }

    /// <summary>The model file as the user named it.</summary>
    public string Path { get; }
    public OnnxGraph Graph { get; }
    public InferredShapes Shapes { get; }
    public NeuronGraph Neurons { get; }
    public string Sha256 => Graph.Sha256;

    /// <summary>Loads and traces a model; throws <see cref="ModelFormatException"/> for unusable files.</summary>
    public static ModelNetwork Load(string path)
    {
        var file = OnnxModelFile.Load(path);
        var shapes = ShapeInference.Infer(file.Graph);
        var trace = NetworkTracer.Trace(file.Graph, shapes);
        return new ModelNetwork(path, file.Graph, shapes, NeuronGraphBuilder.Build(trace, path));
    }
}
