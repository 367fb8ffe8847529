using Analyzer.Core.Clustering;
using Analyzer.Core.Lesions;
using Analyzer.Core.Results;
using Analyzer.Core.Statistics;
using static System.FormattableString;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// The warnings that travel with a result (docs/method.md §7, warnings): what the run found about its labels, and what
/// the assembled table says about its rows. Each has a stable kind; the terminal, results.json, table.md and the report
/// all show the same entries.
/// </summary>
public static class ResultWarnings
{
    public const string BaselineAtChance = "baseline-at-chance", LabelSpace = "label-space", TooFewSubclusters = "too-few-subclusters",
        OneUnitClusters = "one-unit-clusters", KTooLarge = "k-too-large", DegenerateMeasure = "degenerate-measure",
        EigenNotConverged = "eigen-not-converged";

    /// <summary>A partitioning whose eigensolver stopped at its cycle limit with residuals above the tolerance: its
    /// clusters come from vectors that are not the graph's eigenvectors.</summary>
    public static WarningEntry? Eigen(string key, NetworkPartitioning partitioning) => partitioning.EigenConverged ? null
        : new WarningEntry(EigenNotConverged, Invariant(
            $"the eigensolver stopped at its cycle limit with a residual of {partitioning.EigenResidual:G3}, above its tolerance: ") +
            "the clusters come from vectors that are not the graph's eigenvectors and mean little", key);

    /// <summary>The level of significance the rows are judged at (before Benjamini-Hochberg).</summary>
    public const double Alpha = 0.05;

    /// <summary>A baseline accuracy on the data's labels within a small margin of chance: at most twice chance over more
    /// than two classes, at most 0.55 over two.</summary>
    public static WarningEntry? Baseline(LabelSource source, double accuracy, int classes)
    {
        if (source != LabelSource.Data || classes < 2) return null;
        double chance = 1.0 / classes, margin = classes == 2 ? 0.55 : 2 * chance;
        return accuracy > margin ? null : new WarningEntry(BaselineAtChance, Invariant(
            $"baseline accuracy {accuracy:F4} on the data's labels is within a small margin of chance (1/{classes} = {chance:G3}): the labels are ") +
            "probably not the model's classes, and lesion measures against them mean little; --labels model scores against the model's own predictions");
    }

    /// <summary>Data labels that use far fewer classes than the model predicts (CIFAR-10's 10 on an ImageNet model's
    /// 1000): fewer than half of them.</summary>
    public static WarningEntry? Labels(LabelSource source, IEnumerable<int> labels, int classes)
    {
        if (source != LabelSource.Data || classes <= 2) return null;
        int used = labels.Where(l => l >= 0).Distinct().Count();
        return used * 2 >= classes ? null : new WarningEntry(LabelSpace,
            $"the data's labels use {used} classes and the model predicts {classes}: they are probably from another label space " +
            "(a model's class 3 is not the data's class 3); --labels model scores against the model's own predictions");
    }

    /// <summary>For pipelines that must not pass nonsense (--strict): the results were written, but any warning among them
    /// ends the verb with a data error naming the first and how many there are.</summary>
    public static void ThrowIfAny(IEnumerable<(string Source, IReadOnlyList<WarningEntry>? Warnings)> results)
    {
        var all = results.SelectMany(r => (r.Warnings ?? []).Select(w => (r.Source, Warning: w))).ToList();
        if (all.Count == 0) return;
        var (source, first) = all[0];
        string place = first.Partitioning is null ? "" : $", {first.Partitioning}{(first.Measure is null ? "" : $", {first.Measure}")}";
        throw new Errors.DataFormatException($"{source}{place}: {first.Message} ({all.Count} warning{(all.Count == 1 ? "" : "s")} " +
            "with --strict; the results were written)");
    }

    /// <summary>The smallest Fisher p-value <paramref name="n"/> subclusters can give with <paramref name="random"/>
    /// controls each: every percentile at its floor, ½ / (controls + 1).</summary>
    public static double SmallestP(int n, int random) =>
        n < 1 ? 1.0 : FisherCombination.PValue(-Math.Log(0.5 / (random + 1)), n);

    /// <summary>Warnings about the rows of an assembled table: rows whose subclusters cannot reach α or give no standard
    /// error, partitionings with clusters of one unit, degenerate measures.</summary>
    public static IReadOnlyList<WarningEntry> Rows(ResultsDocument results)
    {
        var warnings = new List<WarningEntry>();
        foreach (var p in results.Partitionings)
        {
            string key = $"{p.Edges}-{p.Scope}";
            if (p.Measures.Values.FirstOrDefault() is { } any)
            {
                var clusters = any.Subclusters.Select(s => (s.Layer, s.Size)).Concat(any.Skipped.Select(s => (s.Layer, s.Size))).ToList();
                int single = clusters.Count(c => c.Size == 1);
                if (single > 0)
                    warnings.Add(new WarningEntry(OneUnitClusters, $"{single} of the {clusters.Count} clusters in its analysed node sets " +
                        $"({clusters.Sum(c => c.Size)} units) {(single == 1 ? "holds" : "hold")} one unit: a one-unit cluster is a neuron, not a " +
                        "group, and is not analysed; a smaller -k gives groups", key));
                // Layer scope cuts every layer into k clusters: a layer of fewer than 2k units must give some of one unit.
                var small = clusters.GroupBy(c => c.Layer).Select(g => (Layer: g.Key, Units: g.Sum(c => c.Size)))
                    .Where(l => l.Units < 2 * results.K).ToList();
                if (p.Scope == "layer" && small.Count > 0)
                    warnings.Add(new WarningEntry(KTooLarge, $"k = {results.K} is larger than {(small.Count == 1 ? "layer" : "layers")} " +
                        $"{string.Join(", ", small.Select(l => $"{l.Layer} ({l.Units} units)"))} can use: layer scope cuts each layer into k " +
                        $"clusters, and fewer than 2k units leave clusters of one unit; use -k {Math.Max(2, small.Min(l => l.Units) / 2)} or less", key));
            }
            foreach (var (name, m) in p.Measures)
            {
                double smallest = SmallestP(m.N, results.Random);
                if (m.N < 2 || smallest > Alpha)
                    warnings.Add(new WarningEntry(TooFewSubclusters, m.N == 0 ? "no subcluster was analysed: the row measures nothing"
                        : $"n = {m.N} subcluster{(m.N == 1 ? "" : "s")} with {results.Random} controls each can give p ≥ {PValueText.Format(smallest)}" +
                          (smallest > Alpha ? Invariant($", never below α = {Alpha}") : "") + (m.N < 2 ? ", and one effect has no standard error" : ""),
                        key, name));
                if (m.Degenerate is { } why)
                    warnings.Add(new WarningEntry(DegenerateMeasure, why, key, name));
            }
        }
        return warnings;
    }
}
