namespace Analyzer.Onnx.Operators;

/// <summary>
/// Operators that turn a network's scores into decisions — class indices, the best k, boxes kept by non-maximum
/// suppression, decoded sequences — rather than compute with its units (docs/method.md §10, post-processing). A model
/// whose output comes through one of them is analysed up to the scores it decides from.
/// </summary>
internal static class PostProcessingOperators
{
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "ArgMax", "ArgMin", "TopK", "NonMaxSuppression", "CTCGreedyDecoder", "CTCBeamSearchDecoder",
    };
}
