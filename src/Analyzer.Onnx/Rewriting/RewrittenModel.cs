namespace Analyzer.Onnx.Rewriting;

/// <summary>A model produced by rewriting: its bytes and the names of its inputs and outputs.</summary>
public sealed record RewrittenModel(byte[] Bytes, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

/// <summary>A masked model cut in two before a node: the prefix computes the <see cref="Frontier"/> tensors once; the
/// suffix reads them (plus graph inputs it uses directly and its masks) and computes the outputs.</summary>
public sealed record ModelCut(RewrittenModel Prefix, RewrittenModel Suffix, IReadOnlyList<string> Frontier)
{
    /// <summary>The same cut with the serialized models dropped, to keep its names once sessions hold the models.</summary>
    public ModelCut WithoutModels() => this with { Prefix = Prefix with { Bytes = [] }, Suffix = Suffix with { Bytes = [] } };
}
