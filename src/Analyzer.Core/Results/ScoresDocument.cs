namespace Analyzer.Core.Results;

/// <summary>One visualised set in scores.json: its vis-score, softmax entropy and PNG file (relative to scores.json).</summary>
public sealed record VisualisationEntry(string Id, string Layer, IReadOnlyList<int> Units, double Score, double Entropy, string Image);

/// <summary>scores.json, written by `visualize` (docs/design.md).</summary>
public sealed record ScoresDocument(string Model, string ModelSha256, string AnalyzerVersion, int Seed, string Device, int Steps,
    IReadOnlyList<VisualisationEntry> Sets);
