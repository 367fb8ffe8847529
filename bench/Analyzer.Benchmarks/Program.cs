using Analyzer.Benchmarks;
using BenchmarkDotNet.Running;

// ./build.sh bench                -> the peer comparisons (clustering vs scikit-learn; lesions and visualisation vs
//                                     PyTorch; Spearman vs scipy), one run
// dotnet run -c Release -- kernels -> BenchmarkDotNet micro-benchmarks of the CPU kernels
string mode = args.FirstOrDefault() ?? "all";
switch (mode)
{
    case "kernels":
        BenchmarkRunner.Run<DenseProductBenchmarks>(args: args.Skip(1).ToArray());
        return 0;
    case "clustering":
        return ClusteringComparison.Run(repeats: args.Length > 1 ? int.Parse(args[1]) : 3);
    case "lesions":
        return LesionComparison.Run(ClusteringComparison.FindRoot(), peer: args.ElementAtOrDefault(1) != "ours");
    case "cnn-lesions":
        return CnnLesionComparison.Run(ClusteringComparison.FindRoot(), peer: args.ElementAtOrDefault(1) != "ours");
    case "spearman":
        return SpearmanComparison.Run(ClusteringComparison.FindRoot());
    case "visualisation":
        return VisualisationComparison.Run(ClusteringComparison.FindRoot());
    case "all":
        string root = ClusteringComparison.FindRoot();
        return new[] { () => ClusteringComparison.Run(repeats: 3), () => LesionComparison.Run(root), () => CnnLesionComparison.Run(root), () => SpearmanComparison.Run(root), () => VisualisationComparison.Run(root) }
            .Select(run => run()).FirstOrDefault(status => status != 0);
    default:
        Console.Error.WriteLine($"unknown benchmark '{mode}'; use all, clustering, lesions, cnn-lesions, spearman, visualisation or kernels");
        return 2;
}
