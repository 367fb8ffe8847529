using System.Diagnostics;

namespace Analyzer.Core.Lesions;

/// <summary>
/// Where a lesion sweep's time goes (docs/design.md, lesion speed): the prefix (the unchanged layers before the cut, once
/// per chunk), the suffix (ONNX Runtime running the lesioned rest, many lesions per run), building the suffix's inputs
/// (gathering removed channels and their kernels, tiling, masks) and scoring (argmax and tallies). Summed over every
/// thread, so with concurrent streams the phases add to more than the wall time. Optional: benchmarks and plans read it.
/// </summary>
public sealed class LesionPhaseTimes
{
    private long prefix, suffix, inputs, score;

    public TimeSpan Prefix => Stopwatch.GetElapsedTime(0, prefix);
    public TimeSpan Suffix => Stopwatch.GetElapsedTime(0, suffix);
    public TimeSpan Inputs => Stopwatch.GetElapsedTime(0, inputs);
    public TimeSpan Score => Stopwatch.GetElapsedTime(0, score);

    internal enum Phase { Prefix, Suffix, Inputs, Score }

    internal void Add(Phase phase, long since)
    {
        long elapsed = Stopwatch.GetTimestamp() - since;
        switch (phase)
        {
            case Phase.Prefix: Interlocked.Add(ref prefix, elapsed); break;
            case Phase.Suffix: Interlocked.Add(ref suffix, elapsed); break;
            case Phase.Inputs: Interlocked.Add(ref inputs, elapsed); break;
            default: Interlocked.Add(ref score, elapsed); break;
        }
    }

    public override string ToString() =>
        FormattableString.Invariant($"prefix {Prefix.TotalSeconds:F1} s, inputs {Inputs.TotalSeconds:F1} s, suffix {Suffix.TotalSeconds:F1} s, score {Score.TotalSeconds:F1} s");
}
