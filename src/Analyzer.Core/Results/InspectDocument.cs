namespace Analyzer.Core.Results;

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
