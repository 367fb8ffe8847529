using System.Diagnostics;
using Analyzer.Core.Clustering;
using Analyzer.Core.Errors;
using Analyzer.Core.Files;
using Analyzer.Core.Graphs;
using Analyzer.Core.Pipeline;
using Analyzer.Core.Results;

namespace Analyzer.Cli.Commands.Cluster;

/// <summary>What `cluster` was asked to do.</summary>
public sealed record ClusterRequest(string Model, EdgeKind Edges, ClusteringScope Scope, int? K, int? Restarts, bool LloydOnly, string Out,
    int Seed, ActivationRequest? Activations = null, Onnx.InputShapes? InputShapes = null);

/// <summary>Loads the model, builds its graph, partitions it in the requested scope and writes the clustering JSON.</summary>
public static class ClusterHandler
{
    public static int Run(ClusterRequest request, TextWriter output, TextWriter error)
    {
        OutputLocation.File(request.Out);
        if (request.Restarts is < 1)
            throw new UsageException($"--restarts: {request.Restarts}; expected at least 1");
        var clock = Stopwatch.StartNew();
        var network = GraphSource.Model(request.Model, request.Edges, request.Activations, request.InputShapes, request.Seed);
        var (layout, graph, activations) = GraphSource.Build(network, request.Edges, request.Activations, request.Seed, error);
        int k = ClusterCount.Resolve(request.K, network, graph);
        var options = new SpectralOptions
        {
            Restarts = request.Restarts,
            Refinement = request.LloydOnly ? KMeansRefinement.None : KMeansRefinement.Hartigan,
            Selection = request.LloydOnly ? RestartSelection.Inertia : RestartSelection.NormalizedCut,
        };
        error.WriteLine($"clustering {graph.N} nodes into {k} clusters ({request.Scope.Name()} scope)...");
        var partitioning = ScopedPartition.Build(network, layout, graph, activations, request.Scope, k, options, request.Seed,
            layer => error.WriteLine($"  layer {layer}"));
        var unconverged = ResultWarnings.Eigen($"{request.Edges.Name()}-{request.Scope.Name()}", partitioning);
        if (unconverged is not null) error.WriteLine($"warning: {unconverged.Message}");
        var document = new ClusteringDocument(CommandRunner.Display(request.Model), network.Sha256, AnalyzerInfo.Version,
            request.Seed, request.Edges.Name(), request.Scope.Name(), k, partitioning.NormalizedCut, partitioning.InvalidCount,
            partitioning.Layers.Select(l => new ClusteringLayer(l.Name, l.Clusters, l.NormalizedCut, l.Labels)).ToList(),
            unconverged is null ? null : [unconverged]);
        JsonFiles.Write(request.Out, document);
        output.WriteLine($"{CommandRunner.Display(request.Out)}: {partitioning.Layers.Count} layers, ncut {partitioning.NormalizedCut:F4}, " +
                         $"{partitioning.InvalidCount} invalid nodes ({clock.Elapsed.TotalSeconds:F1} s)");
        return ExitCodes.Success;
    }
}
