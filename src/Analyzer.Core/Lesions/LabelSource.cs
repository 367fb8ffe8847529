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

    /// <summary>The source to use: the one asked for, or by default the data's labels when they have some and the model's
    /// predictions when they have none. Data labels asked of data without labels is a usage error.</summary>
    public static LabelSource Resolve(LabelSource? asked, ImageDataset data, string setting = "Labels") => asked switch
    {
        null => data.HasLabels ? LabelSource.Data : LabelSource.Model,
        LabelSource.Data when !data.HasLabels => throw new UsageException(setting, $"data; {data.Source} carries no labels, so lesions can only be scored against the model's own predictions (model)"),
        _ => asked.Value,
    };
}
