using Analyzer.Core.Measures;

namespace Analyzer.Core.Pipeline;

/// <summary>A convention an analysis reports under (docs/method.md §9) and the folder its results go to.</summary>
public sealed record ConventionFolder(ReferenceCompat Compat, string Out);
