using Analyzer.Core.Errors;
using Analyzer.Core.Lesions;
using Analyzer.Core.Statistics;
using Analyzer.Core.Visualisation;

namespace Analyzer.Core.Measures;

/// <summary>
/// One question asked of every subcluster against its random controls (docs/method.md §6-8), named as results.json keys
/// it. A measure knows what it needs (data, labels, input gradients), which direction looks specialised, below what value
/// it resolves nothing, and how one value is computed; its family (<see cref="LesionMeasure"/>,
/// <see cref="VisualisationMeasure"/>, <see cref="CorrelationMeasure"/>) says which experiment produces the values.
/// Adding a measure is one entry in <see cref="All"/>.
/// </summary>
public abstract class Measure
{
    private protected Measure(string name, MeasureOrientation orientation, string description, double? resolutionFloor = null)
    {
        Name = name;
        Orientation = orientation;
        Description = description;
        ResolutionFloor = resolutionFloor;
    }

    /// <summary>The key in results.json and on the command line: acc-drop, class-range, vis-score, ...</summary>
    public string Name { get; }

    public MeasureOrientation Orientation { get; }

    /// <summary>What the measure asks, in a few words (help texts, the report).</summary>
    public string Description { get; }

    /// <summary>The value below which the measure resolves nothing (docs/method.md §7, degenerate measures), or null.</summary>
    public double? ResolutionFloor { get; }

    /// <summary>Whether the measure runs the model on a dataset.</summary>
    public abstract bool NeedsData { get; }

    /// <summary>Whether it needs the data's labels in the model's label space.</summary>
    public abstract bool NeedsLabels { get; }

    /// <summary>Whether it differentiates the model (feature visualisation).</summary>
    public abstract bool NeedsGradients { get; }

    public override string ToString() => Name;

    /// <summary>Why these values (subclusters' and controls') cannot show specialization, or null.</summary>
    public string? Degenerate(IReadOnlyCollection<double> values) => MeasureResolution.Degenerate(ResolutionFloor, values);

    /// <summary>Whether a mean effect lies more than two standard errors beyond 1 in the specialised direction.</summary>
    public bool IsNotable(EffectSummary effect) => MeasureOrientations.IsNotable(effect, Orientation);

    /// <summary>Importance: does removing the subcluster hurt accuracy more than removing random units?</summary>
    public static readonly LesionMeasure AccDrop = new("acc-drop", "importance: the accuracy drop when the subcluster is removed",
        (baseline, lesioned, compat) => compat.MeanClassAccuracy
            ? LesionMeasures.MeanClassAccuracyDrop(baseline, lesioned)
            : LesionMeasures.AccuracyDrop(baseline, lesioned),
        compat => compat.ReferenceAccDropEffect ? EffectMeasure.ComputeReference : null);

    /// <summary>Importance without labels: how far does removing the subcluster move the model's outputs, more than removing
    /// random units does? Mean over examples of <see cref="OutputDivergence"/>.</summary>
    public static readonly LesionMeasure OutputChange = new("output-change",
        "importance without labels: how far removing the subcluster moves the outputs from the intact model's (mean KL divergence " +
        "of the class distribution; for a single output, squared change over its variance)",
        (_, lesioned, _) => lesioned.OutputChange, needsLabels: false);

    /// <summary>Coherence with respect to class: does removing it hurt some classes much more than others?</summary>
    public static readonly LesionMeasure ClassRange = new("class-range", "class coherence: the range of the class-wise accuracy drops",
        (baseline, lesioned, compat) => compat.NormalisedClassRange
            ? LesionMeasures.NormalisedClassRange(LesionMeasures.ClassDrops(baseline, lesioned))
            : LesionMeasures.ClassRange(LesionMeasures.ClassDrops(baseline, lesioned)));

    /// <summary>Coherence with respect to input features: does an image optimised for the units excite them more?</summary>
    public static readonly VisualisationMeasure VisScore = new("vis-score",
        "feature coherence: how strongly an image optimised for the units excites them, 100 Adam steps per image",
        MeasureOrientation.HigherIsSpecialised, result => result.Score);

    /// <summary>Is the model more certain of such an image's class? Lower is coherent.</summary>
    public static readonly VisualisationMeasure SoftmaxEntropy = new("softmax-entropy",
        "certainty: the model's softmax entropy on that image, lower is coherent", MeasureOrientation.LowerIsSpecialised, result => result.Entropy,
        MeasureResolution.EntropyFloor);

    /// <summary>Appendix A.5: does a first-layer subcluster look at one side of the image?</summary>
    public static readonly CorrelationMeasure Lateralisation = new("lateralisation",
        "first-layer subclusters, for halves-mnist: how much of their sign-aligned pixel-correlation image lies on one side");

    /// <summary>Every measure, in the order tables show them.</summary>
    public static readonly IReadOnlyList<Measure> All = [AccDrop, ClassRange, OutputChange, VisScore, SoftmaxEntropy, Lateralisation];

    /// <summary>What an analysis measures unless told otherwise: the paper's Tables 1 and 2.</summary>
    public static readonly IReadOnlyList<Measure> Defaults = [AccDrop, ClassRange, VisScore, SoftmaxEntropy];

    /// <summary>The measures a comma-separated list names; anything else is a usage error of <paramref name="setting"/>.</summary>
    public static IReadOnlyList<Measure> ParseList(string? list, string setting = "Measures") =>
        Choices.ParseList(setting, list, All, m => m.Name);

    /// <summary>The measure a results file keys <paramref name="name"/>; a key no version wrote is a data error.</summary>
    public static Measure Named(string name) =>
        All.FirstOrDefault(m => m.Name == name) ?? throw new DataFormatException($"'{name}' is not a measure; known: {string.Join(", ", All)}");
}

/// <summary>A measure of lesions (docs/method.md §6): each subcluster and control is removed in turn and the lesioned
/// model's accuracies give the value.</summary>
public sealed class LesionMeasure : Measure
{
    private readonly Func<LesionOutcome, LesionOutcome, ReferenceCompat, double> value;
    private readonly Func<ReferenceCompat, Func<double, double[], double>?>? effect;

    internal LesionMeasure(string name, string description, Func<LesionOutcome, LesionOutcome, ReferenceCompat, double> value,
        Func<ReferenceCompat, Func<double, double[], double>?>? effect = null, bool needsLabels = true)
        : base(name, MeasureOrientation.HigherIsSpecialised, description)
    {
        this.value = value;
        this.effect = effect;
        NeedsLabels = needsLabels;
    }

    public override bool NeedsData => true;
    public override bool NeedsLabels { get; }
    public override bool NeedsGradients => false;

    /// <summary>The value of one lesion, under the conventions in force.</summary>
    public double Value(LesionOutcome baseline, LesionOutcome lesioned, ReferenceCompat compat) => value(baseline, lesioned, compat);

    /// <summary>The effect of one subcluster under the conventions in force; null: <see cref="EffectMeasure.Compute"/>.</summary>
    public Func<double, double[], double>? Effect(ReferenceCompat compat) => effect?.Invoke(compat);
}

/// <summary>A measure of feature visualisations (docs/method.md §6): an image is optimised to excite each subcluster and
/// control, and its result gives the value.</summary>
public sealed class VisualisationMeasure : Measure
{
    private readonly Func<VisualisationResult, double> value;

    internal VisualisationMeasure(string name, string description, MeasureOrientation orientation, Func<VisualisationResult, double> value,
        double? resolutionFloor = null)
        : base(name, orientation, description, resolutionFloor) => this.value = value;

    public override bool NeedsData => false;
    public override bool NeedsLabels => false;
    public override bool NeedsGradients => true;

    public double Value(VisualisationResult result) => value(result);
}

/// <summary>A measure of the correlations between units and input pixels over the test examples (docs/method.md §8).</summary>
public sealed class CorrelationMeasure : Measure
{
    internal CorrelationMeasure(string name, string description) : base(name, MeasureOrientation.HigherIsSpecialised, description)
    {
    }

    public override bool NeedsData => true;
    public override bool NeedsLabels => false;
    public override bool NeedsGradients => false;
}
