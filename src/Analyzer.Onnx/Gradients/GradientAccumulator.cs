using Analyzer.Onnx.Building;
namespace Analyzer.Onnx.Gradients;

/// <summary>Collects the gradient contributions each tensor receives from its readers and sums them when asked.</summary>
internal sealed class GradientAccumulator(GraphBuilder writer)
{
    private readonly Dictionary<string, List<string>> contributions = [];

    public void Add(string tensor, string gradient)
    {
        if (!contributions.TryGetValue(tensor, out var list)) contributions[tensor] = list = [];
        list.Add(gradient);
    }

    /// <summary>The total gradient of <paramref name="tensor"/>, or null when nothing reads it on a path to the objective.</summary>
    public string? Take(string tensor) =>
        contributions.TryGetValue(tensor, out var list)
            ? list.Count == 1 ? list[0] : writer.Add("Sum", list)
            : null;
}
