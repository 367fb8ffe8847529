using System.CommandLine;
using Analyzer.Cli.Commands.Aggregate;
using Analyzer.Cli.Commands.Analyze;
using Analyzer.Cli.Commands.Cluster;
using Analyzer.Cli.Commands.Clusterability;
using Analyzer.Cli.Commands.Compare;
using Analyzer.Cli.Commands.Merge;
using Analyzer.Cli.Commands.Graph;
using Analyzer.Cli.Commands.Inspect;
using Analyzer.Cli.Commands.Lesion;
using Analyzer.Cli.Commands.Report;
using Analyzer.Cli.Commands.Reproduce;
using Analyzer.Cli.Commands.Screen;
using Analyzer.Cli.Commands.Visualize;

namespace Analyzer.Cli;

/// <summary>Composes the verbs into the `analyzer` command line.</summary>
public static class AnalyzerApp
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand(
            "Analyzer: measure local specialization in trained neural networks (Hod et al., \"Quantifying Local " +
            "Specialization in Deep Neural Networks\"). Give it an ONNX model and a dataset; it partitions the neurons by " +
            "spectral clustering of a weight or activation graph, tests every group against random groups by lesions, and " +
            "reports Fisher statistics, p-values and effects. Start with: analyzer analyze");
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(GraphCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        root.Subcommands.Add(ClusterabilityCommand.Create());
        root.Subcommands.Add(LesionCommand.Create());
        root.Subcommands.Add(VisualizeCommand.Create());
        root.Subcommands.Add(AnalyzeCommand.Create());
        root.Subcommands.Add(AggregateCommand.Create());
        root.Subcommands.Add(ReproduceCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(ScreenCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        return root;
    }

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = CreateRoot();
        var parse = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
                error.WriteLine($"error: {e.Message}");
            error.WriteLine($"Run 'analyzer {string.Join(' ', parse.CommandResult.Command.Name == root.Name ? [] : new[] { parse.CommandResult.Command.Name })} --help' for usage.".Replace("  ", " "));
            return ExitCodes.Usage;
        }
        return parse.Invoke(configuration);
    }
}
