using Analyzer.Core.Errors;

using Analyzer.Core.Datasets;

namespace Analyzer.Core.Lesions;

/// <summary>
/// What the lesion measures score predictions against (docs/method.md §6, label sources): the data's own labels, or
/// the intact model's predictions on the same examples, which any unlabelled sample of a model's traffic has. With the
/// model's labels acc-drop is the fraction of predictions a lesion changes and class-range runs over predicted classes.
/// A causal language model is scored against the next token: position t's label is input token t + 1.
/// </summary>
public enum LabelSource
{
    Data,
    Model,
    NextToken,
}

/// <summary>The names of <see cref="LabelSource"/> in files and on the command line.</summary>
public static class LabelSources
{
    public static readonly IReadOnlyList<LabelSource> All = [LabelSource.Data, LabelSource.Model, LabelSource.NextToken];

    public static string Name(this LabelSource source) => Choices.Kebab(source.ToString());

    public static LabelSource Parse(string text, string setting = "Labels") => Choices.Parse(setting, text, All, Name);

    /// <summary>Why lesions scored against the data's labels mean little, or null: a baseline accuracy no better than
    /// chance over more than two classes says the labels are probably not in the model's label space (CIFAR folders
    /// on an ImageNet model), and the model's own predictions are the labels to score against.</summary>
    public static string? ChanceWarning(LabelSource source, double baselineAccuracy, int classes) =>
        source == LabelSource.Data && classes > 2 && baselineAccuracy <= 1.0 / classes
            ? $"baseline accuracy {baselineAccuracy:F4} on the data's labels is no better than chance (1/{classes}): the labels are probably " +
              "not in the model's classes, and lesion measures against them mean little; --labels model scores against the model's own predictions"
            : null;

    /// <summary>The source to use: the one asked for, or by default the data's labels when they have some and the model's
    /// predictions when they have none. Data labels asked of data without labels is a usage error.</summary>
    public static LabelSource Resolve(LabelSource? asked, ImageDataset data, string setting = "Labels") => asked switch
    {
        null => data.HasLabels ? LabelSource.Data : LabelSource.Model,
        LabelSource.Data when !data.HasLabels => throw new UsageException(setting, $"data; {data.Source} carries no labels, so lesions can only be scored against the model's own predictions (model)"),
        _ => asked.Value,
    };
}
