using Analyzer.Core.Statistics;
using Analyzer.Reporting.Files;

namespace Analyzer.Cli;

/// <summary>Benjamini-Hochberg at α = 0.05 over every p-value of a table (docs/method.md §7), marked on its entries.</summary>
public static class SignificanceMarking
{
    public static (SignificanceEntry Significance, List<PartitioningEntry> Marked) Apply(IReadOnlyList<PartitioningEntry> entries)
    {
        var cells = entries.SelectMany((p, i) => p.Measures.Where(m => double.IsFinite(m.Value.P)).Select(m => (i, m.Key, m.Value.P))).ToList();
        var bh = BenjaminiHochberg.Apply(cells.Select(c => c.P).ToArray());
        var significant = cells.Where((_, j) => bh.Significant[j]).Select(c => (c.i, c.Key)).ToHashSet();
        var marked = entries.Select((p, i) => p with
        {
            Measures = p.Measures.ToDictionary(m => m.Key, m => m.Value with { Significant = significant.Contains((i, m.Key)) }),
        }).ToList();
        return (new SignificanceEntry("Benjamini-Hochberg", 0.05, bh.CriticalP), marked);
    }
}
