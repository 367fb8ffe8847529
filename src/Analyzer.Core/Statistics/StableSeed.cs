namespace Analyzer.Core.Statistics;

/// <summary>Seeds derived from the run's seed and the name of what they seed (a partitioning, a subcluster, a pair of
/// models), so that every random draw is the same whatever else the run does, on every run and platform.</summary>
public static class StableSeed
{
    /// <summary>A seed that depends only on its parts (FNV-1a over them), stable across runs and platforms.</summary>
    public static int Of(int seed, string key, int nodeSet, int cluster)
    {
        unchecked
        {
            uint hash = 2166136261;
            void Mix(int value)
            {
                for (int b = 0; b < 4; b++)
                {
                    hash ^= (byte)(value >> (8 * b));
                    hash *= 16777619;
                }
            }
            Mix(seed);
            foreach (char c in key) Mix(c);
            Mix(nodeSet);
            Mix(cluster);
            return (int)(hash & 0x7fffffff);
        }
    }
}
