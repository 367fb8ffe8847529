namespace Analyzer.Core.Statistics;

/// <summary>How controls equal to the true value count in its percentile (docs/method.md §7 and 9).</summary>
public enum PercentileTies
{
    /// <summary>Half of the ties count as more specialised-looking (mid-rank): unbiased under the null. Default.</summary>
    MidRank,

    /// <summary>Ties count as less specialised-looking, as the authors' code did; biases results toward "specialised".
    /// Only for reproducing published numbers.</summary>
    Strict,
}
