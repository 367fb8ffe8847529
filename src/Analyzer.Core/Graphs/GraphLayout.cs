namespace Analyzer.Core.Graphs;

/// <summary>
/// Which node sets a graph holds and where each starts: the weight graph holds every node set at its canonical offset;
/// an MLP's activation graph holds only the hidden node sets (docs/method.md §3), packed in canonical order.
/// </summary>
public sealed record GraphLayout(IReadOnlyList<NodeSet> Sets, IReadOnlyList<int> Offsets)
{
    public int NodeCount => Sets.Count == 0 ? 0 : Offsets[^1] + Sets[^1].Units;

    public static GraphLayout Of(NeuronGraph neurons) => new(neurons.NodeSets, neurons.NodeSets.Select(s => s.Offset).ToList());

    public static GraphLayout Packed(IEnumerable<NodeSet> sets)
    {
        var list = sets.ToList();
        var offsets = new List<int>();
        int offset = 0;
        foreach (var set in list)
        {
            offsets.Add(offset);
            offset += set.Units;
        }
        return new GraphLayout(list, offsets);
    }
}
