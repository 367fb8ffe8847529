namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>Where <see cref="RankUpdate"/>'s tiles read their rows: a dense layer's inputs at the removed features, or a
/// conv's receptive fields (<see cref="ReceptiveFields"/>).</summary>
internal interface IRankUpdateRows
{
    /// <summary>−(row first + i, term q) at scaled[q·stride + i] for i below count.</summary>
    void Negated(int first, int count, Span<float> scaled, int stride);
}
