namespace Analyzer.Core.Results;

/// <summary>Accuracy of the unlesioned model.</summary>
public sealed record LesionBaseline(double Accuracy, IReadOnlyList<double> ClassAccuracy);

/// <summary>One lesioned set: accuracy, acc-drop, per-class drops and their range (docs/method.md §6).</summary>
public sealed record LesionSetResult(string Id, string Layer, int Size, double Accuracy, double AccDrop,
    IReadOnlyList<double> ClassDrops, double ClassRange, double OutputChange);

/// <summary>The lesion JSON (docs/design.md). <c>ExamplesDrawnFrom</c> is the size of the test split when --examples drew a subset of it, else null.</summary>
public sealed record LesionDocument(string Model, string ModelSha256, string AnalyzerVersion, int Seed, string Data, string Device,
    int Examples, LesionBaseline Baseline, IReadOnlyList<LesionSetResult> Sets, int? ExamplesDrawnFrom = null,
    PreprocessingEntry? Preprocessing = null, string? Labels = null, IReadOnlyDictionary<string, long[]>? InputShapes = null);
