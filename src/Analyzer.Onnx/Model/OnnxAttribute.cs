namespace Analyzer.Onnx.Model;

/// <summary>One attribute of an ONNX node: exactly one of the value fields is meaningful, as <see cref="Kind"/> says.</summary>
public sealed record OnnxAttribute(
    string Name,
    OnnxAttributeKind Kind,
    double Float = 0,
    long Int = 0,
    string? String = null,
    OnnxTensor? Tensor = null,
    IReadOnlyList<double>? Floats = null,
    IReadOnlyList<long>? Ints = null);

/// <summary>Attribute kinds Analyzer decodes; graphs and other kinds are reported as <see cref="Other"/>.</summary>
public enum OnnxAttributeKind
{
    Float,
    Int,
    String,
    Tensor,
    Floats,
    Ints,
    Strings,
    Other,
}
