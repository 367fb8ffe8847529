using Analyzer.Core.Errors;
using Analyzer.Core.Networks;
using Analyzer.Core.Progress;
using System.Diagnostics;
using Analyzer.Core.Clusterability;
using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;
using Analyzer.Core.Files;
using Analyzer.Reporting.Files;

namespace Analyzer.Cli.Commands.Clusterability;

/// <summary>What `clusterability` was asked to do.</summary>
public sealed record ClusterabilityRequest(string Model, int? K, int Shuffles, WeightShuffle Shuffle, string Out, int Seed);

/// <summary>Builds the weight graph, runs the clusterability test and writes its JSON.</summary>
public static class ClusterabilityHandler
{
    public static int Run(ClusterabilityRequest request, TextWriter output, TextWriter error)
    {
        OutputLocation.File(request.Out);
        if (request.Shuffles < 2)
            throw new UsageException($"--shuffles: {request.Shuffles}; at least 2 shuffled networks are needed for a z-score");
        var clock = Stopwatch.StartNew();
        var network = ModelNetwork.Load(request.Model);
        var graph = WeightGraph.Build(network.Neurons);
        int k = request.K ?? ScopedPartition.DefaultK(network);
        int valid = graph.Degrees().Count(d => d > 0);
        if (k < 2 || k > valid)
            throw new UsageException($"-k: {k} clusters cannot be formed from {valid} connected nodes; use 2 to {valid}");
        string shuffle = request.Shuffle == WeightShuffle.All ? "all" : "nonzero";
        var progress = new ProgressLine(error, $"clustering {graph.N} nodes into {k} clusters, then {request.Shuffles} networks shuffled ({shuffle})",
            request.Shuffles + 1);
        progress.Advance(0);
        var result = ClusterabilityTest.Run(graph, k, new SpectralOptions(), request.Shuffles, request.Shuffle, request.Seed,
            () => progress.Advance(1));
        var document = new ClusterabilityDocument(CommandRunner.Display(request.Model), network.Sha256, AnalyzerInfo.Version, request.Seed,
            k, result.NormalizedCut, result.Labels, shuffle, result.ShuffledCuts, double.IsNaN(result.Z) ? null : result.Z, result.Percentile);
        JsonFiles.Write(request.Out, document);
        double mean = result.ShuffledCuts.Average();
        output.WriteLine($"{CommandRunner.Display(request.Out)}: ncut {result.NormalizedCut:F4} vs shuffled {mean:F4} (z {result.Z:F2}, " +
                         $"percentile {result.Percentile:F1}) ({clock.Elapsed.TotalSeconds:F1} s)");
        return ExitCodes.Success;
    }
}
