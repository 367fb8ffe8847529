using Analyzer.Core.Statistics;
using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;

namespace Analyzer.Core.Subclusters;

/// <summary>
/// Splits a partitioning into subclusters and draws their random controls (docs/method.md §5): a subcluster is analysed when
/// 2 ≤ size ≤ 0.99 × the layer's valid units; each gets <c>count</c> controls of the same size, drawn uniformly without
/// replacement from the layer's valid units, independently of each other and of the subcluster. Every draw is seeded
/// from the run's seed, the partitioning and the subcluster, so adding a measure never changes the controls.
/// </summary>
public static class SubclusterSampler
{
    public static (List<ControlledSubcluster> Analysed, List<SkippedSubcluster> Skipped) Sample(
        NeuronGraph neurons, NetworkPartitioning partitioning, string partitioningKey, int count, int seed,
        SubclusterSelection? selection = null)
    {
        selection ??= SubclusterSelection.All;
        var analysed = new List<ControlledSubcluster>();
        var skipped = new List<SkippedSubcluster>();
        foreach (var layer in partitioning.Layers)
        {
            var set = neurons.NodeSets[layer.NodeSet];
            if (!set.Analysed) continue;
            bool chosenLayer = selection.Layers is null || selection.Layers.Contains(set.Name);
            var valid = Enumerable.Range(0, layer.Labels.Length).Where(u => layer.Labels[u] >= 0).ToArray();
            foreach (var group in valid.GroupBy(u => layer.Labels[u]).OrderBy(g => g.Key))
            {
                var units = group.ToArray();
                if (units.Length < 2)
                {
                    skipped.Add(new SkippedSubcluster(set.Name, group.Key, units.Length, "fewer than 2 units"));
                    continue;
                }
                if (units.Length > 0.99 * valid.Length)
                {
                    skipped.Add(new SkippedSubcluster(set.Name, group.Key, units.Length,
                        $"more than 99% of the layer's {valid.Length} valid units"));
                    continue;
                }
                if (!chosenLayer)
                {
                    // Reasons are results.json's contract and name the command line's options, which users read them beside.
                    skipped.Add(new SkippedSubcluster(set.Name, group.Key, units.Length, "not in --layers"));
                    continue;
                }
                var rng = new Random(StableSeed.Of(seed, partitioningKey, set.Index, group.Key));
                var controls = Enumerable.Range(0, count).Select(_ => Draw(valid, units.Length, rng)).ToList();
                analysed.Add(new ControlledSubcluster(new Subcluster(set.Index, set.Name, group.Key, units), controls));
            }
        }
        if (selection.Max is { } max && analysed.Count > max)
        {
            // A seeded choice of max subclusters, kept in canonical order.
            var order = Enumerable.Range(0, analysed.Count).ToArray();
            var rng = new Random(StableSeed.Of(seed, $"{partitioningKey}/max-subclusters", -1, -1));
            for (int i = 0; i < max; i++)
            {
                int j = rng.Next(i, order.Length);
                (order[i], order[j]) = (order[j], order[i]);
            }
            var kept = order[..max].ToHashSet();
            foreach (int i in Enumerable.Range(0, analysed.Count).Where(i => !kept.Contains(i)))
            {
                var sub = analysed[i].Subcluster;
                skipped.Add(new SkippedSubcluster(sub.Layer, sub.Cluster, sub.Units.Length, $"not drawn by --max-subclusters {max}"));
            }
            analysed = analysed.Where((_, i) => kept.Contains(i)).ToList();
        }
        if (selection.Shard is { } shard)
            analysed = analysed.Where((_, i) => shard.Owns(partitioningKey, i)).ToList();
        return (analysed, skipped);
    }

    /// <summary>A uniform subset of <paramref name="size"/> units (partial Fisher-Yates), sorted.</summary>
    private static int[] Draw(int[] valid, int size, Random rng)
    {
        var pool = (int[])valid.Clone();
        for (int i = 0; i < size; i++)
        {
            int j = i + rng.Next(pool.Length - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        var chosen = pool[..size];
        Array.Sort(chosen);
        return chosen;
    }
}
