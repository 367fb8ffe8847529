using Analyzer.Core.Results;

namespace Analyzer.Reporting.Files;

/// <summary>One node set in nodes.json and `inspect --json`. <paramref name="ProducedBy"/> (inspect only): the layers whose
/// outputs the units are, since a CNN node set is named after the layer that reads it (docs/method.md §1).</summary>
public sealed record NodeSetEntry(string Name, string Kind, string Op, int Units, int Offset, IReadOnlyList<string>? ProducedBy = null);

/// <summary>nodes.json: the node sets in canonical order and the invalid nodes (docs/design.md). Like every file, it names
/// the model, its sha256, the analyzer version and the seed.</summary>
public sealed record NodesDocument(string Model, string ModelSha256, string AnalyzerVersion, int Seed, string Edges, int N,
    IReadOnlyList<NodeSetEntry> Layers, IReadOnlyList<int> Invalid);

/// <summary>One node set's labels in a clustering file; <c>ncut</c> is that of the graph the labels came from.</summary>
public sealed record ClusteringLayer(string Name, int Clusters, double Ncut, IReadOnlyList<int> Labels);

/// <summary>The clustering JSON (docs/design.md): labels per node set, -1 for invalid units.</summary>
public sealed record ClusteringDocument(string Model, string ModelSha256, string AnalyzerVersion, int Seed, string Edges,
    string Scope, int K, double Ncut, int Invalid, IReadOnlyList<ClusteringLayer> Layers);

/// <summary>One layer (operator with weights) in `inspect --json`.</summary>
public sealed record InspectLayer(int Index, string Name, string Op, IReadOnlyList<long> InputShape, IReadOnlyList<long> OutputShape,
    int Outputs, int InputUnits, string? NodeSet);

/// <summary>One operator of the model in `inspect --json`: how often it occurs, how units pass through it
/// ("unknown" when Analyzer does not know it) and whether feature visualisation can differentiate it ("yes", or why not).</summary>
public sealed record InspectOperator(string Op, int Count, string Flow, string Gradient);

/// <summary>`inspect --json`: the model's operators, layers and node sets.</summary>
public sealed record InspectDocument(string Model, string ModelSha256, string AnalyzerVersion, long Opset, string Kind, int Nodes,
    IReadOnlyList<InspectLayer> Layers, IReadOnlyList<NodeSetEntry> NodeSets, IReadOnlyList<string> Analysed, string Visualisation,
    IReadOnlyList<InspectOperator> Operators);

/// <summary>One set of units in a sets file: {"id", "layer" (node set name), "units"}.</summary>
public sealed record UnitSetEntry(string Id, string Layer, IReadOnlyList<int> Units);

/// <summary>The sets file read by `lesion` and `visualize`.</summary>
public sealed record SetsDocument(IReadOnlyList<UnitSetEntry> Sets);

/// <summary>Accuracy of the unlesioned model.</summary>
public sealed record LesionBaseline(double Accuracy, IReadOnlyList<double> ClassAccuracy);

/// <summary>One lesioned set: accuracy, acc-drop, per-class drops and their range (docs/method.md §6).</summary>
public sealed record LesionSetResult(string Id, string Layer, int Size, double Accuracy, double AccDrop,
    IReadOnlyList<double> ClassDrops, double ClassRange);

/// <summary>The lesion JSON (docs/design.md). <c>ExamplesDrawnFrom</c> is the size of the test split when --examples drew a subset of it, else null.</summary>
public sealed record LesionDocument(string Model, string ModelSha256, string AnalyzerVersion, int Seed, string Data, string Device,
    int Examples, LesionBaseline Baseline, IReadOnlyList<LesionSetResult> Sets, int? ExamplesDrawnFrom = null,
    PreprocessingEntry? Preprocessing = null);

/// <summary>One visualised set in scores.json: its vis-score, softmax entropy and PNG file (relative to scores.json).</summary>
public sealed record VisualisationEntry(string Id, string Layer, IReadOnlyList<int> Units, double Score, double Entropy, string Image);

/// <summary>scores.json, written by `visualize` (docs/design.md).</summary>
public sealed record ScoresDocument(string Model, string ModelSha256, string AnalyzerVersion, int Seed, string Device, int Steps,
    IReadOnlyList<VisualisationEntry> Sets);

/// <summary>The clusterability JSON (docs/design.md): the weight graph's n-cut beside those of its shuffled controls;
/// labels per node in canonical order, -1 for nodes without edges.</summary>
public sealed record ClusterabilityDocument(string Model, string ModelSha256, string AnalyzerVersion, int Seed, int K, double Ncut,
    IReadOnlyList<int> Labels, string Shuffle, IReadOnlyList<double> ShuffledNcuts, double? Z, double Percentile);
