using Analyzer.Core.Statistics;


namespace Analyzer.Core.Results;

/// <summary>Benjamini-Hochberg at α = 0.05 over every p-value of a table but the degenerate measures' (docs/method.md §7),
/// marked on its entries; an effect is notable when it is beyond 2 SE and its row is significant.</summary>
public static class SignificanceMarking
{
    public static (SignificanceEntry Significance, List<PartitioningEntry> Marked) Apply(IReadOnlyList<PartitioningEntry> entries)
    {
        var cells = entries.SelectMany((p, i) => p.Measures.Where(m => double.IsFinite(m.Value.P) && m.Value.Degenerate is null).Select(m => (i, m.Key, m.Value.P))).ToList();
        var bh = BenjaminiHochberg.Apply(cells.Select(c => c.P).ToArray());
        var significant = cells.Where((_, j) => bh.Significant[j]).Select(c => (c.i, c.Key)).ToHashSet();
        var marked = entries.Select((p, i) => p with
        {
            Measures = p.Measures.ToDictionary(m => m.Key, m =>
            {
                bool isSignificant = significant.Contains((i, m.Key));
                return m.Value with { Significant = isSignificant, Effect = m.Value.Effect with { Notable = isSignificant && m.Value.Effect.BeyondTwoSe } };
            }),
        }).ToList();
        return (new SignificanceEntry("Benjamini-Hochberg", 0.05, bh.CriticalP), marked);
    }
}
