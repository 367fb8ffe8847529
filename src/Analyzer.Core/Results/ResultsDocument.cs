using System.Globalization;
namespace Analyzer.Core.Results;

/// <summary>Mean effect and its standard error. <c>BeyondTwoSe</c>: more than 2 SE from 1 in the specialised direction
/// (the paper's bold); <c>Notable</c>: that, and the same row's Fisher test significant after the table's correction, so
/// the two never disagree in what they call specialised (docs/method.md §7).</summary>
public sealed record EffectEntry(double Mean, double Se, bool Notable, bool BeyondTwoSe = false);

/// <summary>One analysed subcluster: its value, its controls' values, its percentile and effect (docs/method.md §7).</summary>
public sealed record SubclusterEntry(string Layer, int Cluster, int Size, IReadOnlyList<int> Units, double Value,
    IReadOnlyList<double> Random, double Percentile, double Effect);

/// <summary>A subcluster left out, and why.</summary>
public sealed record SkippedEntry(string Layer, int Cluster, int Size, string Reason);

/// <summary>A measure the run left out because it cannot apply to the model, and why.</summary>
public sealed record SkippedMeasureEntry(string Measure, string Reason);

/// <summary>One measure of one partitioning: Fisher statistic, its p-value, the effect, and everything they came from.
/// <c>Degenerate</c> says why the values cannot show specialization (docs/method.md §7), else null.</summary>
/// <remarks>For an aggregate over replicates, <c>Fisher</c> is the mean of <c>ReplicateFisher</c>, <c>P</c> the Bates
/// combination of <c>ReplicateP</c>, and the subclusters are pooled from every replicate.</remarks>
public sealed record MeasureEntry(double Fisher, double P, EffectEntry Effect, int N, bool Significant,
    IReadOnlyList<SubclusterEntry> Subclusters, IReadOnlyList<SkippedEntry> Skipped,
    IReadOnlyList<double>? ReplicateFisher = null, IReadOnlyList<double>? ReplicateP = null, string? Degenerate = null);

/// <summary>One partitioning (edges x scope) with its measures, keyed acc-drop, class-range, vis-score, softmax-entropy.</summary>
public sealed record PartitioningEntry(string Edges, string Scope, double Ncut, IReadOnlyDictionary<string, MeasureEntry> Measures);

/// <summary>How significance was decided over the table.</summary>
public sealed record SignificanceEntry(string Method, double Alpha, double? CriticalP);

/// <summary>results.json (docs/design.md): enough to recompute every statistic by hand. <c>Compat</c> lists the
/// reference-compat switches in force (docs/method.md §9); empty for the paper's definitions. <c>ExamplesDrawnFrom</c> is
/// the size of the test split when --examples drew a subset of it (a first look), else null; <c>Layers</c> and
/// <c>MaxSubclusters</c> the first-look selection of subclusters (null: all); <c>Preprocessing</c> how the data reached the
/// model (null without data); <c>Labels</c> what lesions were scored against: "data" (the data's labels) or "model"
/// (the intact model's predictions; its baseline accuracy is then 1); <c>SkippedMeasures</c> the default measures left out
/// because they cannot apply to the model (null: none); <c>InputShapes</c> the sizes the model's free input dimensions
/// were fixed at (null: none were free); <c>Warnings</c> why the results may mean little
/// (<see cref="WarningEntry"/>), or null; <c>Verdict</c> what the table shows, in words (<see cref="VerdictEntry"/>).</summary>
public sealed record ResultsDocument(string Model, string ModelSha256, string AnalyzerVersion, string Data, int Seed, int K,
    int Random, string Device, int Examples, double BaselineAccuracy, SignificanceEntry Significance,
    IReadOnlyList<PartitioningEntry> Partitionings, IReadOnlyList<string>? Compat = null, int? ExamplesDrawnFrom = null,
    IReadOnlyList<string>? Layers = null, int? MaxSubclusters = null, PreprocessingEntry? Preprocessing = null, string? Labels = null,
    IReadOnlyList<SkippedMeasureEntry>? SkippedMeasures = null, IReadOnlyDictionary<string, long[]>? InputShapes = null,
    IReadOnlyList<WarningEntry>? Warnings = null, VerdictEntry? Verdict = null);

/// <summary>
/// How the data reached the model, so that a result can be reproduced: x = (p · scale - mean[c]) / std[c], the channel
/// order, and how image files were shaped ("cover": scaled to cover and centre-cropped; "resize 256, crop 224": the
/// torchvision evaluation preset).
/// </summary>
public sealed record PreprocessingEntry(double Scale, IReadOnlyList<double> Mean, IReadOnlyList<double> Std, string ChannelOrder, string Images)
{
    public static PreprocessingEntry Of(Analyzer.Core.Datasets.Preprocessing p) => new(p.Scale, p.Mean, p.Std, p.Bgr ? "bgr" : "rgb",
        p.Geometry.IsEvaluation ? $"resize {p.Geometry.Shorter}, crop {p.Geometry.Crop}" : "cover");

    /// <summary>The same in words, for people: "pixels / 255, no mean or std; RGB; image files scaled to cover and
    /// centre-cropped".</summary>
    public string InWords()
    {
        static string List(IReadOnlyList<double> values) => string.Join(", ", values.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)));
        string scale = Math.Abs(Scale - 1 / 255.0) < 1e-12 ? "pixels / 255"
            : Scale == 1 ? "pixel values as stored"
            : Math.Abs(1 / Scale - Math.Round(1 / Scale)) < 1e-9 ? $"pixels / {Math.Round(1 / Scale).ToString(CultureInfo.InvariantCulture)}"
            : $"pixels × {Scale.ToString("G4", CultureInfo.InvariantCulture)}";
        string normalise = Mean.All(m => m == 0) && Std.All(s => s == 1) ? "no mean or std"
            : $"then minus mean ({List(Mean)}) and divided by std ({List(Std)}), per channel";
        string images = Images == "cover" ? "image files scaled to cover the input and centre-cropped"
            : Images.StartsWith("resize ", StringComparison.Ordinal) && Images.Split(' ', ',') is var parts && parts.Length >= 5
                ? $"image files resized so the shorter side is {parts[1]}, then centre-cropped to {parts[4]}"
                : $"image files: {Images}";
        return $"{scale}, {normalise}; {ChannelOrder.ToUpperInvariant()}; {images}";
    }
}
