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

    /// <summary>The analysis of one replicate under the given conventions, each into its folder (in the same order).</summary>
    public AnalysisPlan Analysis(Replicate replicate, IReadOnlyList<ReproductionConvention> conventions, IReadOnlyList<string> folders) => new()
    {
        Model = replicate.File, Data = replicate.Dataset, Out = folders[0], Seed = Seed, Device = Device, Threads = Threads,
        Compat = conventions[0].Compat, AlsoUnder = conventions.Skip(1).Select((c, i) => new ConventionFolder(c.Compat, folders[i + 1])).ToList(),
        Samples = Fast ? 1000 : AnalysisPlan.DefaultSamples, Examples = Fast ? 1000 : null, MaxSubclusters = Fast ? 2 : null,
    };
}

/// <summary>
/// The paper's small-network experiment (Tables 1 and 2, Appendix A.2): every replicate analysed with all four
/// partitionings and the default measures (resuming finished partitionings), its lesions and visualisations made once and
/// reported under every convention, each family aggregated over its replicates,
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

        // Each replicate is analysed once: its lesions and visualisations are made once and reported under every convention.
        var conventions = plan.Conventions;
        var reproduced = conventions.Select(_ => new List<ReproducedFamily>()).ToList();
        int analyses = 0, resumed = 0;
        var inner = new PrefixWriter(log, "  ");
        foreach (string family in families)
        {
            var members = replicates.Where(r => r.Family == family).Take(plan.Fast ? 2 : int.MaxValue).ToList();
            var analysed = conventions.Select(_ => new List<(string Source, ResultsDocument Results)>()).ToList();
            foreach (var (replicate, i) in members.Select((r, i) => (r, i)))
            {
                var folders = conventions.Select(c => Path.Combine(plan.Out, c.Name, family, Path.GetFileNameWithoutExtension(replicate.File))).ToList();
                log.WriteLine($"reproduce: {family} replicate {i + 1}/{members.Count} ({DisplayPath.Of(replicate.File)}), " +
                              $"{string.Join(" and ", conventions.Select(c => c.Name))} conventions, {clock.Elapsed.TotalMinutes:F1} min elapsed");
                analyses += conventions.Count;
                resumed += folders.Count(f => File.Exists(Path.Combine(f, AnalysisFolder.ResultsFile)));
                var outcome = AnalysisRun.Complete(plan.Analysis(replicate, conventions, folders), inner, writer);
                var outcomes = new[] { outcome }.Concat(outcome.AlsoUnder).ToList();
                for (int c = 0; c < conventions.Count; c++)
                    analysed[c].Add((Path.Combine(folders[c], AnalysisFolder.ResultsFile), outcomes[c].Results()));
            }
            for (int c = 0; c < conventions.Count; c++)
            {
                var aggregate = ReplicateAggregate.Combine(analysed[c]);
                writer.Results(Path.Combine(plan.Out, conventions[c].Name, family, "aggregate"), aggregate);
                reproduced[c].Add(new ReproducedFamily(family, members.Count, aggregate.Partitionings));
            }
        }
        var results = conventions.Select((c, i) => CorrectedOverTable(c, reproduced[i])).ToList();
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
