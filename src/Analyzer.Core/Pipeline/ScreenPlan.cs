using Analyzer.Core.Datasets;
using Analyzer.Core.Errors;
using Analyzer.Core.Graphs;
using Analyzer.Core.Measures;

namespace Analyzer.Core.Pipeline;

/// <summary>One model of a screen: its name (its folder), its file, its dataset (null: none) and how its data are
/// preprocessed.</summary>
public sealed record ScreenedModel(string Name, string Model, string? Data, Preprocessing Preprocessing);

/// <summary>
/// What a screen is asked to do (docs/design.md, screen): every model analysed with the same options into OUT/NAME, its
/// clusterability tested with <see cref="Clusterability"/> shuffles (0: not tested), then all compared. A model without
/// data gets the weight graph and the measures that need no data; <see cref="Edges"/> and <see cref="Measures"/> null
/// mean every edge kind and the default measures that a model's data allow.
/// </summary>
public sealed record ScreenPlan
{
    public const int DefaultShuffles = 10;

    public required IReadOnlyList<ScreenedModel> Models { get; init; }

    /// <summary>The options every model's analysis shares (its model, data, preprocessing and folder are the model's own).</summary>
    public required AnalysisPlan Options { get; init; }

    public IReadOnlyList<EdgeKind>? Edges { get; init; }

    public IReadOnlyList<Measure>? Measures { get; init; }

    public int Clusterability { get; init; } = DefaultShuffles;

    public required string Out { get; init; }

    /// <summary>Where the models were listed (a manifest), named in messages; null: nowhere.</summary>
    public string? Source { get; init; }

    /// <summary>The analysis of one model, and what it was asked for but leaves out for want of data.</summary>
    public (AnalysisPlan Plan, IReadOnlyList<string> LeftOut) Analysis(ScreenedModel model)
    {
        bool data = model.Data is not null;
        var edges = Edges ?? (data ? EdgeKinds.All : [EdgeKind.Weights]);
        var measures = Measures ?? (data ? Measure.Defaults : Measure.Defaults.Where(m => !m.NeedsData).ToList());
        var leftOut = new List<string>();
        if (!data)
        {
            // Without data only weight graphs and the measures that need none can run.
            leftOut.AddRange(edges.Where(e => e != EdgeKind.Weights).Select(e => e.Name()).Concat(measures.Where(m => m.NeedsData).Select(m => m.Name)));
            edges = [EdgeKind.Weights];
            measures = measures.Where(m => !m.NeedsData).ToList();
            if (measures.Count == 0)
                throw new DataFormatException($"{(Source is null ? "" : $"{Source}: ")}model '{model.Name}' has no \"data\", and every measure " +
                    $"asked for needs it (give it \"data\", or ask for {string.Join(" or ", Measure.All.Where(m => !m.NeedsData))})");
        }
        var plan = Options with
        {
            Model = model.Model, Data = model.Data ?? "none", Preprocessing = model.Preprocessing, Out = Path.Combine(Out, model.Name),
            Edges = edges, Measures = measures, MeasuresNamed = Measures is not null,
        };
        return (plan, leftOut);
    }
}
