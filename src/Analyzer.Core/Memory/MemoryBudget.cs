namespace Analyzer.Core.Memory;

/// <summary>
/// How much memory each working set of a run may take (docs/design.md, memory): one batch of lesion inputs with the
/// tensors its run keeps, the cut models cached for lesions, one batch of visualisation images with their activations
/// and gradients, one batch of captured activations. Work that does not fit is split or recomputed, never refused.
/// </summary>
public readonly record struct MemoryBudget(long Bytes)
{
    /// <summary>256 MiB: MNIST- to ImageNet-scale analyses stay under 2 GiB resident.</summary>
    public static readonly MemoryBudget Default = OfMiB(256);

    /// <summary>What the budget bounds, in a sentence (the command line's help).</summary>
    public const string Meaning = "MiB that each working set may take: a batch of lesion inputs, the cached lesion models, a batch of " +
                                  "visualisation images, a batch of captured activations (larger work is split, not refused)";

    public static MemoryBudget OfMiB(int mib) => new((long)mib << 20);

    public int MiB => (int)(Bytes >> 20);
}
