using System.CommandLine;
using Analyzer.Cli.Options;
using Analyzer.Core.Errors;
using Analyzer.Core.Pipeline;

namespace Analyzer.Cli.Commands.Reproduce;

/// <summary>`analyzer reproduce [--fast] [--replicates DIR] [--families A,B] [--out DIR]`.</summary>
public static class ReproduceCommand
{
    public static Command Create()
    {
        var fast = new Option<bool>("--fast")
        {
            Description = "A short version: 2 replicates per family, 1000 test examples, 2 subclusters per partitioning, activation " +
                          "graphs from 1000 samples (minutes instead of hours; the numbers are noisier)",
        };
        var replicates = new Option<string>("--replicates")
        {
            Description = "Folder with the replicates and their manifest.json (tools/train_replicates.py writes it)",
            DefaultValueFactory = _ => ReproductionPlan.DefaultReplicates,
        };
        var families = new Option<string>("--families")
        {
            Description = $"Comma-separated families to run: {string.Join(", ", ReproductionPlan.KnownFamilies)} (default: every family " +
                          "the manifest has)",
        };
        var conventions = new Option<string>("--conventions")
        {
            Description = "default (the paper's definitions), compat (the authors' code: --compat all), or both",
            DefaultValueFactory = _ => "both",
        }.AcceptOnlyFromAmong([.. ReproductionConvention.Both.Select(c => c.Name), "both"]);
        var output = new Option<string>("--out", "-o")
        {
            Description = "Output folder: one analyze folder per replicate and convention, the aggregates, reproduction.md and .json",
            DefaultValueFactory = _ => "results/reproduce",
        };
        var seed = SharedOptions.Seed();
        var device = SharedOptions.Device();
        var threads = SharedOptions.Threads();
        var command = new Command("reproduce",
            "Reproduce the paper's small-network results (Tables 1 and 2, Appendix A.2): analyze every replicate with all four " +
            "partitionings and measures, aggregate over replicates (mean Fisher, Bates p, pooled effects), correct over the table " +
            "(Benjamini-Hochberg) and print the result beside the paper's published values, under the paper's conventions and " +
            "under the authors' code (--compat all). Interrupted runs resume where they stopped.")
        {
            fast, replicates, families, conventions, output, seed, device, threads,
        };
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) => ReproduceHandler.Run(new ReproductionPlan
        {
            Fast = parse.GetValue(fast), Replicates = parse.GetValue(replicates)!, Families = SharedOptions.ListOf(parse.GetValue(families)),
            Conventions = parse.GetValue(conventions) is "both" or null ? ReproductionConvention.Both
                : [Choices.Parse("Conventions", parse.GetValue(conventions)!, ReproductionConvention.Both, c => c.Name)],
            Out = parse.GetValue(output)!, Seed = parse.GetValue(seed), Device = SharedOptions.DeviceOf(parse.GetValue(device)),
            Threads = parse.GetValue(threads),
        }, stdout, stderr), threads));
        return command;
    }
}
