using Analyzer.Core.Statistics;

using Analyzer.Core.Errors;

namespace Analyzer.Core.Measures;

/// <summary>
/// Switches that reproduce what the authors' code did where it differs from the paper (docs/method.md §9), so published
/// numbers can be reproduced on purpose and the differences shown. Never the default.
/// </summary>
/// <param name="StrictTies">Ties between a subcluster and a control count as less specialised-looking (biases toward
/// "specialised").</param>
/// <param name="MeanClassAccuracy">Accuracy is the mean of the per-class accuracies instead of the overall accuracy.</param>
/// <param name="NormalisedClassRange">class-range is (max D - min D) / |mean D|.</param>
/// <param name="ReferenceAccDropEffect">The acc-drop effect is 0 unless both the drop and the controls' mean drop are
/// positive.</param>
public sealed record ReferenceCompat(bool StrictTies = false, bool MeanClassAccuracy = false, bool NormalisedClassRange = false,
    bool ReferenceAccDropEffect = false)
{
    public static readonly ReferenceCompat None = new();

    /// <summary>Every switch: the authors' code as published.</summary>
    public static readonly ReferenceCompat All = new(true, true, true, true);

    /// <summary>Names accepted by <see cref="Parse"/>, in order.</summary>
    public static readonly IReadOnlyList<string> Names = ["ties", "accuracy", "class-range", "acc-drop-effect"];

    /// <summary>What each switch changes, in a few words, by name (for help texts and tables).</summary>
    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        ["ties"] = "strict ties, which count as less specialised-looking",
        ["accuracy"] = "mean of per-class accuracies",
        ["class-range"] = "(max-min)/|mean| of the class-wise drops",
        ["acc-drop-effect"] = "0 unless both drops are positive",
    };

    public PercentileTies Ties => StrictTies ? PercentileTies.Strict : PercentileTies.MidRank;

    /// <summary>The switches that are on, by name (for results.json).</summary>
    public IReadOnlyList<string> Enabled =>
        new[] { StrictTies, MeanClassAccuracy, NormalisedClassRange, ReferenceAccDropEffect }
            .Select((on, i) => on ? Names[i] : null).OfType<string>().ToList();

    /// <summary>Parses "ties,class-range" or "all"; null or empty: none. An unknown switch is a usage error of
    /// <paramref name="setting"/>.</summary>
    public static ReferenceCompat Parse(string? list, string setting = "Compat")
    {
        var names = Choices.Split(list).ToList();
        if (names.Contains("all")) names = [.. Names];
        var unknown = names.FirstOrDefault(n => !Names.Contains(n));
        if (unknown is not null)
            throw new UsageException(setting, $"'{unknown}' is not a reference-compat switch; use all or a comma-separated list of: {string.Join(", ", Names)}");
        return new ReferenceCompat(names.Contains("ties"), names.Contains("accuracy"), names.Contains("class-range"), names.Contains("acc-drop-effect"));
    }
}
