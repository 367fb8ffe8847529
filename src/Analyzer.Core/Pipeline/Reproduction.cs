using System.Diagnostics;
using Analyzer.Core.Errors;
using Analyzer.Core.Files;
using Analyzer.Core.Measures;
using Analyzer.Core.Progress;
using Analyzer.Core.Results;
using Analyzer.Onnx.Inference;

namespace Analyzer.Core.Pipeline;

/// <summary>A convention a reproduction runs under: the paper's definitions, or the authors' code (docs/method.md §9).</summary>
public sealed record ReproductionConvention(string Name, ReferenceCompat Compat)
{
    public static readonly ReproductionConvention Paper = new("default", ReferenceCompat.None);
    public static readonly ReproductionConvention AuthorsCode = new("compat", ReferenceCompat.All);
    public static readonly IReadOnlyList<ReproductionConvention> Both = [Paper, AuthorsCode];
}

/// <summary>What a reproduction of the paper's small-network tables is asked to do: the replicates' folder, the families
/// (null: every family the manifest has), the conventions, and whether to take the short version.</summary>
public sealed record ReproductionPlan
{
    public const string DefaultReplicates = "onnx-models/replicates";

    /// <summary>The families the paper's small-network tables have, in their order.</summary>
    public static readonly IReadOnlyList<string> KnownFamilies = ["mnist-mlp", "mnist-cnn", "fmnist-mlp", "fmnist-cnn"];

    /// <summary>2 replicates per family, 1000 test examples, 2 subclusters per partitioning, activation graphs from 1000
    /// samples: minutes instead of hours, noisier numbers.</summary>
    public bool Fast { get; init; }

    public string Replicates { get; init; } = DefaultReplicates;

    public IReadOnlyList<string>? Families { get; init; }

    public IReadOnlyList<ReproductionConvention> Conventions { get; init; } = ReproductionConvention.Both;

    public required string Out { get; init; }

    public int Seed { get; init; }

    public ExecutionDevice Device { get; init; } = ExecutionDevice.Auto;

    public int Threads { get; init; }

    /// <summary>The analysis of one replicate under one convention, into its own folder.</summary>
    public AnalysisPlan Analysis(Replicate replicate, ReproductionConvention convention, string folder) => new()
    {
        Model = replicate.File, Data = replicate.Dataset, Out = folder, Seed = Seed, Device = Device, Threads = Threads,
        Compat = convention.Compat, Samples = Fast ? 1000 : AnalysisPlan.DefaultSamples, Examples = Fast ? 1000 : null,
        MaxSubclusters = Fast ? 2 : null,
    };
}

/// <summary>
/// The paper's small-network experiment (Tables 1 and 2, Appendix A.2): every replicate analysed with all four
/// partitionings and the default measures (resuming finished partitionings), each family aggregated over its replicates,
/// and Benjamini-Hochberg applied once over every family's cells of one convention, as the paper corrects over its table.
/// </summary>
public static class Reproduction
{
    public static ReproductionDocument Run(ReproductionPlan plan, TextWriter log, IResultsWriter writer)
    {
        var clock = Stopwatch.StartNew();
        var replicates = ReplicateManifest.Read(plan.Replicates);
        var families = plan.Families ?? ReproductionPlan.KnownFamilies.Where(f => replicates.Any(r => r.Family == f)).ToList();
        foreach (string family in families.Where(f => !ReproductionPlan.KnownFamilies.Contains(f)))
            throw new UsageException(nameof(plan.Families), $"'{family}' is not one of {string.Join(", ", ReproductionPlan.KnownFamilies)}");
        foreach (string family in families.Where(f => replicates.All(r => r.Family != f)))
            throw new UsageException(nameof(plan.Families), $"{DisplayPath.Of(plan.Replicates)}/manifest.json has no {family} replicates; " +
                "train them with tools/train_replicates.py");
        if (families.Count == 0)
            throw new UsageException(nameof(plan.Replicates), $"{DisplayPath.Of(plan.Replicates)}/manifest.json lists no replicates of " +
                string.Join(", ", ReproductionPlan.KnownFamilies));

        var results = new List<ReproducedConvention>();
        int analyses = 0, resumed = 0;
        var inner = new PrefixWriter(log, "  ");
        foreach (var convention in plan.Conventions)
        {
            var reproduced = new List<ReproducedFamily>();
            foreach (string family in families)
            {
                var members = replicates.Where(r => r.Family == family).Take(plan.Fast ? 2 : int.MaxValue).ToList();
                var analysed = new List<(string Source, ResultsDocument Results)>();
                foreach (var (replicate, i) in members.Select((r, i) => (r, i)))
                {
                    string folder = Path.Combine(plan.Out, convention.Name, family, Path.GetFileNameWithoutExtension(replicate.File));
                    log.WriteLine($"reproduce: {convention.Name}, {family} replicate {i + 1}/{members.Count} ({DisplayPath.Of(replicate.File)}), " +
                                  $"{clock.Elapsed.TotalMinutes:F1} min elapsed");
                    analyses++;
                    if (File.Exists(Path.Combine(folder, AnalysisFolder.ResultsFile))) resumed++;
                    var outcome = AnalysisRun.Complete(plan.Analysis(replicate, convention, folder), inner, writer);
                    analysed.Add((Path.Combine(folder, AnalysisFolder.ResultsFile), outcome.Results()));
                }
                var aggregate = ReplicateAggregate.Combine(analysed);
                writer.Results(Path.Combine(plan.Out, convention.Name, family, "aggregate"), aggregate);
                reproduced.Add(new ReproducedFamily(family, members.Count, aggregate.Partitionings));
            }
            results.Add(CorrectedOverTable(convention, reproduced));
        }
        return new ReproductionDocument(AnalyzerInfo.Version, plan.Seed, plan.Fast, Math.Round(clock.Elapsed.TotalSeconds, 1), results, resumed)
        {
            Analyses = analyses,
        };
    }

    /// <summary>One correction over every family's rows, as the paper corrects over its whole table.</summary>
    private static ReproducedConvention CorrectedOverTable(ReproductionConvention convention, IReadOnlyList<ReproducedFamily> families)
    {
        var (significance, marked) = SignificanceMarking.Apply(families.SelectMany(f => f.Partitionings).ToList());
        int offset = 0;
        var markedFamilies = families.Select(f =>
        {
            var rows = marked.Skip(offset).Take(f.Partitionings.Count).ToList();
            offset += f.Partitionings.Count;
            return f with { Partitionings = rows };
        }).ToList();
        return new ReproducedConvention(convention.Name, convention.Compat.Enabled, significance, markedFamilies);
    }
}
