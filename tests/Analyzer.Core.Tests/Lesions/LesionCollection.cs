namespace Analyzer.Core.Tests.Lesions;

/// <summary>The lesion test classes run one after the other (xunit runs classes of one collection in sequence): each
/// builds several engines over the committed CNNs, whose ONNX Runtime memory arenas keep their peaks.</summary>
[CollectionDefinition(Name)]
public sealed class LesionCollection
{
    public const string Name = "lesion engines";
}
