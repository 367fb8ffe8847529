namespace Analyzer.Core.Results;

/// <summary>One set of units in a sets file: {"id", "layer" (node set name), "units"}.</summary>
public sealed record UnitSetEntry(string Id, string Layer, IReadOnlyList<int> Units);

/// <summary>The sets file read by `lesion` and `visualize`.</summary>
public sealed record SetsDocument(IReadOnlyList<UnitSetEntry> Sets);
