namespace Analyzer.Onnx.Model;

/// <summary>
/// One operator of an ONNX graph. <see cref="DisplayName"/> is the node's name, or its first output's name when the
/// node has none (docs/design.md: a layer's name).
/// </summary>
public sealed class OnnxNode
{
    private readonly Dictionary<string, OnnxAttribute> attributes;

    public OnnxNode(int index, string name, string opType, string domain, IReadOnlyList<string> inputs,
        IReadOnlyList<string> outputs, IEnumerable<OnnxAttribute> attributes)
    {
        Index = index;
        Name = name;
        OpType = opType;
        Domain = domain;
        Inputs = inputs;
        Outputs = outputs;
        this.attributes = attributes.ToDictionary(a => a.Name);
    }

    /// <summary>Position in the graph's node list (ONNX keeps it topologically sorted).</summary>
    public int Index { get; }
    public string Name { get; }
    public string OpType { get; }
    public string Domain { get; }
    public IReadOnlyList<string> Inputs { get; }
    public IReadOnlyList<string> Outputs { get; }
    public IReadOnlyCollection<OnnxAttribute> Attributes => attributes.Values;

    public string DisplayName => Name.Length > 0 ? Name : Outputs.Count > 0 ? Outputs[0] : $"node{Index}";

    /// <summary>The i-th input name, or null when it is absent or empty (ONNX marks an omitted optional input by "").</summary>
    public string? Input(int i) => i < Inputs.Count && Inputs[i].Length > 0 ? Inputs[i] : null;

    public bool HasAttribute(string name) => attributes.ContainsKey(name);
    public OnnxAttribute? Attribute(string name) => attributes.GetValueOrDefault(name);

    public long GetInt(string name, long fallback) =>
        attributes.TryGetValue(name, out var a) && a.Kind == OnnxAttributeKind.Int ? a.Int : fallback;

    public double GetFloat(string name, double fallback) =>
        attributes.TryGetValue(name, out var a) && a.Kind == OnnxAttributeKind.Float ? a.Float : fallback;

    public string GetString(string name, string fallback) =>
        attributes.TryGetValue(name, out var a) && a.Kind == OnnxAttributeKind.String ? a.String ?? fallback : fallback;

    public long[]? GetInts(string name) =>
        attributes.TryGetValue(name, out var a) && a.Kind == OnnxAttributeKind.Ints ? a.Ints!.ToArray() : null;

    public double[]? GetFloats(string name) =>
        attributes.TryGetValue(name, out var a) && a.Kind == OnnxAttributeKind.Floats ? a.Floats!.ToArray() : null;

    public override string ToString() => $"'{DisplayName}' ({OpType})";
}
