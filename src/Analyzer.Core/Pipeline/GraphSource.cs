using Analyzer.Core.Memory;
using Analyzer.Core.Errors;
using Analyzer.Core.Networks;
using Analyzer.Core.Progress;
using Analyzer.Core.Activations;
using Analyzer.Core.Datasets;
using Analyzer.Core.Graphs;
using Analyzer.Kernels;
using Analyzer.Kernels.Spearman;
using Analyzer.Onnx.Inference;

namespace Analyzer.Core.Pipeline;

/// <summary>What an activation graph needs besides the model: the data its samples are drawn from (the training split
/// of a named dataset), the preprocessing, the number of samples, the device and the memory budget of the capture.</summary>
public sealed record ActivationRequest(string Data, Preprocessing Preprocessing, int Samples, ExecutionDevice Device, MemoryBudget MemoryBudget)
{
    /// <summary>Refuses fewer than 2 samples: no correlation can be computed.</summary>
    public static void CheckSamples(int samples)
    {
        if (samples < 2)
            throw new UsageException(nameof(Samples), $"{samples}; at least 2 examples are needed for correlations");
    }
}

/// <summary>Builds the graph a verb asked for: weights, or activations on the training split of the data.</summary>
public static class GraphSource
{
    /// <summary>The data activations are sampled from: a named dataset's training split, else the only split there is.</summary>
    public static ImageDataset ActivationData(string dataSpec, ImageGeometry geometry, int seed)
    {
        var spec = DatasetSpec.Parse(dataSpec);
        if (spec.Kind is "mnist" or "fashion-mnist" or "halves-mnist" or "cifar10") spec = spec with { Split = DatasetSplit.Train };
        return DatasetLoader.Load(spec, DatasetSplit.Train, geometry, seed);
    }

    public static ActivationGraph Activations(ModelNetwork network, ActivationRequest request, int seed, TextWriter error)
    {
        ActivationRequest.CheckSamples(request.Samples);
        var data = ActivationData(request.Data, request.Preprocessing.Geometry, seed);
        int samples = Math.Min(request.Samples, data.Count);
        using var gpu = request.Device != ExecutionDevice.Cpu && SpearmanIlgpuKernel.CudaAvailable() ? new SpearmanIlgpuKernel(IlgpuTarget.Cuda) : null;
        if (gpu is null && request.Device == ExecutionDevice.Cuda)
            error.WriteLine("note: no CUDA device is visible; correlations run on the CPU");
        return ActivationGraph.Build(network, data, samples, seed, request.Preprocessing, request.Device,
            gpu is null ? new SpearmanCpuKernel() : gpu, Notes.Once(error), (task, total) =>
            {
                var line = new ProgressLine(error, task, total);
                return n => line.Advance(n);
            },
            request.MemoryBudget);
    }

    /// <summary>The model a graph is built from: with free input sizes fixed by <paramref name="shapes"/>, or else, for an
    /// activation graph, by the examples it is sampled from (docs/method.md §10).</summary>
    public static ModelNetwork Model(string path, EdgeKind edges, ActivationRequest? request, Onnx.InputShapes? shapes, int seed)
    {
        if (shapes is not null || edges != EdgeKind.Activations || request is null) return ModelNetwork.Load(path, shapes);
        var file = Onnx.OnnxModelFile.Load(path);
        if (!file.Graph.Inputs.Any(i => i.Shape?.Skip(1).Any(d => d < 0) == true)) return ModelNetwork.Load(path, file);
        return ModelNetwork.Load(path, InputShapeSpec.FromData(ActivationData(request.Data, request.Preprocessing.Geometry, seed)));
    }

    /// <summary>The graph, its layout and its invalid nodes (no edges, or constant activations).</summary>
    public static (GraphLayout Layout, WeightedGraph Graph, ActivationGraph? Activations) Build(ModelNetwork network, EdgeKind edges,
        ActivationRequest? request, int seed, TextWriter error)
    {
        if (edges == EdgeKind.Weights)
            return (GraphLayout.Of(network.Neurons), WeightGraph.Build(network.Neurons), null);
        var activations = Activations(network, request ?? throw new UsageException("Data", "activation edges need a dataset"), seed, error);
        return (activations.Layout, activations.Graph, activations);
    }
}
