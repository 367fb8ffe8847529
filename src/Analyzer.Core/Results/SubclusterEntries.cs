namespace Analyzer.Core.Results;

/// <summary>Reading subcluster entries.</summary>
public static class SubclusterEntries
{
    /// <summary>Every value the entries hold: each true subcluster's and its controls'.</summary>
    public static List<double> Values(IEnumerable<SubclusterEntry> entries) => entries.SelectMany(s => s.Random.Prepend(s.Value)).ToList();
}
