namespace Analyzer.Core.Lesions;

/// <summary>Layers after a lesioned reader that the engine runs itself on the CPU instead of ONNX Runtime
/// (<see cref="DenseChain"/>, <see cref="ConvChain"/>; docs/design.md, lesion speed).</summary>
internal interface IOwnSuffix
{
    /// <summary>The bytes it holds (counted against the memory budget with the stage's sessions).</summary>
    long Bytes { get; }
}
