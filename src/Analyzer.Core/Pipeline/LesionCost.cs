namespace Analyzer.Core.Pipeline;

/// <summary>
/// What lesioning one node set costs on this machine (docs/design.md, "Plans"): <see cref="SetupSeconds"/> once (its
/// cut models and sessions), <see cref="SecondsPerExample"/> for every example whatever the number of lesions (the
/// prefix before the cut), and <see cref="SecondsPerLesionExample"/> for every example under every lesion.
/// <see cref="SharedPrefix"/>: the node set's lesions are low-rank updates, whose prefix a run computes once for all
/// such node sets of a partitioning (the plan counts the dearest of their prefixes once, not each).
/// </summary>
public sealed record LesionCost(double SetupSeconds, double SecondsPerExample, double SecondsPerLesionExample, bool SharedPrefix = false)
{
    public double Seconds(int lesions, int examples) => SetupSeconds + examples * (SecondsPerExample + lesions * SecondsPerLesionExample);
}
