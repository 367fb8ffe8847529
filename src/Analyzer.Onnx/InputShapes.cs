using Analyzer.Onnx.Protos;

namespace Analyzer.Onnx;

/// <summary>
/// Sizes for a model's input dimensions after the batch (docs/method.md §10, free dimensions): an OCR model's
/// [N, 3, 48, W] or a language model's [N, T] needs them fixed before its shapes, node sets and weight graph exist.
/// Given by the user (<see cref="FromUser"/>: every size must fit the model, free or not) or read from the data
/// (<see cref="FromData"/>: only the model's free sizes are taken). Sizes are per input name; an unnamed entry is for a
/// model with one input.
/// </summary>
public sealed record InputShapes(IReadOnlyDictionary<string, long[]> ByName, long[]? Unnamed, bool FreeOnly)
{
    public static InputShapes FromUser(IReadOnlyDictionary<string, long[]> byName, long[]? unnamed) => new(byName, unnamed, false);

    public static InputShapes FromData(IReadOnlyDictionary<string, long[]> byName, long[]? unnamed) => new(byName, unnamed, true);

    /// <summary>The sizes given for <paramref name="input"/>, one of <paramref name="inputs"/> real inputs.</summary>
    public long[]? For(string input, int inputs) => ByName.TryGetValue(input, out var dims) ? dims : inputs == 1 ? Unnamed : null;

    /// <summary>"3x48x192", or "input_ids=16, attention_mask=16" for several.</summary>
    public string Describe() => Unnamed is { } dims && ByName.Count == 0
        ? Dims(dims)
        : string.Join(", ", ByName.Select(p => $"{p.Key}={Dims(p.Value)}").Concat(Unnamed is null ? [] : [Dims(Unnamed)]));

    public static string Dims(long[] dims) => string.Join("x", dims);

    /// <summary>
    /// Writes the sizes into the model's input declarations, so that everything after reads fixed shapes; returns, per
    /// input whose free sizes were filled, its name and the sizes used. A size that contradicts a fixed one, or a rank
    /// that does not fit, is an error naming both shapes (user sizes only; data sizes fill free sizes alone).
    /// </summary>
    internal IReadOnlyList<(string Input, long[] Dims)> Apply(ModelProto model, string path)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet();
        var inputs = model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        foreach (string name in ByName.Keys.Where(n => inputs.All(i => i.Name != n)))
            throw new ModelFormatException($"{path}: has no input '{name}'; its inputs are {string.Join(", ", inputs.Select(i => i.Name))}");
        if (Unnamed is not null && ByName.Count == 0 && inputs.Count > 1 && !FreeOnly)
            throw new ModelFormatException($"{path}: has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); name the one each shape is for (NAME=DIMS)");
        var filled = new List<(string, long[])>();
        foreach (var input in inputs)
        {
            if (For(input.Name, inputs.Count) is not { } dims || input.Type?.TensorType?.Shape is not { } shape) continue;
            var declared = shape.Dim.Skip(1).Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? d.DimValue : -1).ToArray();
            if (declared.Length != dims.Length)
            {
                if (FreeOnly) continue;
                throw new ModelFormatException($"{path}: input '{input.Name}' has {declared.Length} sizes after the batch ([N, {string.Join(", ", declared.Select(Size))}]); the input shape {Dims(dims)} gives {dims.Length}");
            }
            bool anyFree = false;
            for (int a = 0; a < dims.Length; a++)
            {
                if (declared[a] < 0)
                {
                    anyFree = true;
                    shape.Dim[a + 1] = new TensorShapeProto.Types.Dimension { DimValue = dims[a] };
                }
                else if (declared[a] != dims[a] && !FreeOnly)
                    throw new ModelFormatException($"{path}: input '{input.Name}' is fixed at [N, {string.Join(", ", declared.Select(Size))}]; the input shape {Dims(dims)} does not fit it");
            }
            if (anyFree) filled.Add((input.Name, declared.Select((d, a) => d < 0 ? dims[a] : d).ToArray()));
        }
        return filled;
    }

    private static string Size(long d) => d < 0 ? "?" : d.ToString();
}
