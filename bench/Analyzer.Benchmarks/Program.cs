using Analyzer.Benchmarks;
using BenchmarkDotNet.Running;

// ./build.sh bench                -> the peer comparison (Analyzer vs scikit-learn, same machine, same run)
// dotnet run -c Release -- kernels -> BenchmarkDotNet micro-benchmarks of the CPU kernels
string mode = args.FirstOrDefault() ?? "clustering";
switch (mode)
{
    case "kernels":
        BenchmarkRunner.Run<DenseProductBenchmarks>(args: args.Skip(1).ToArray());
        return 0;
    case "clustering":
        return ClusteringComparison.Run(repeats: args.Length > 1 ? int.Parse(args[1]) : 3);
    default:
        Console.Error.WriteLine($"unknown benchmark '{mode}'; use clustering or kernels");
        return 2;
}
