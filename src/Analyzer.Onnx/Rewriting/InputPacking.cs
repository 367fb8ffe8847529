using Analyzer.Onnx.Building;
using Analyzer.Onnx.Protos;

namespace Analyzer.Onnx.Rewriting;

/// <summary>One model input as it lies in the packed input: its name, element type, sizes after the batch and where its
/// values start in each example's row.</summary>
public sealed record PackedInput(string Name, Model.TensorElementType ElementType, long[] Dims, long Offset)
{
    public long Size => Dims.Aggregate(1L, (a, d) => a * d);
}

/// <summary>
/// Gives a model with several inputs, or with one input that is not float (token ids, masks), a single float input
/// [N, values] that every part of Analyzer feeds like an image's pixels (docs/design.md, inputs): each original input
/// is a slice of it, reshaped and cast back to the input's own type by nodes placed before the model's own, under the
/// original input's name. Token ids and masks are whole numbers below 2^24, which float32 holds exactly.
/// </summary>
internal static class InputPacking
{
    public const string Input = "analyzer_inputs";

    /// <summary>Whether the model's real inputs are anything but one floating-point tensor (float16 and bfloat16 inputs
    /// are widened with the rest of the model, <see cref="Float32Conversion"/>).</summary>
    public static bool Needed(ModelProto model)
    {
        var inputs = RealInputs(model);
        return inputs.Count > 1 || (inputs.Count == 1 && inputs[0].Type?.TensorType?.ElemType is not (null
            or (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Float16 or (int)TensorProto.Types.DataType.Bfloat16));
    }

    /// <summary>Packs the inputs when every size after the batch is fixed; returns the packed layout, or null when some
    /// size is free (left for shape inference to name).</summary>
    public static IReadOnlyList<PackedInput>? Apply(ModelProto model)
    {
        var inputs = RealInputs(model);
        var layout = new List<PackedInput>();
        long offset = 0;
        foreach (var input in inputs)
        {
            var dims = input.Type?.TensorType?.Shape?.Dim.Skip(1).Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1).ToArray();
            if (dims is null || dims.Any(d => d <= 0)) return null;
            var packed = new PackedInput(input.Name, (Model.TensorElementType)input.Type!.TensorType.ElemType, dims, offset);
            layout.Add(packed);
            offset += packed.Size;
        }
        var graph = model.Graph;
        var own = graph.Node.ToList();
        graph.Node.Clear();
        var writer = new GraphBuilder(model, prefix: "analyzer_input_");
        foreach (var input in layout)
        {
            string slice = writer.Slice(Input, [input.Offset], [input.Offset + input.Size], [1]);
            long[] shape = [-1, .. input.Dims];
            if (input.ElementType == Model.TensorElementType.Float)
                writer.Add("Reshape", [slice, writer.Int64s(shape)], input.Name);
            else
                writer.Add("Cast", [writer.Add("Reshape", [slice, writer.Int64s(shape)])], input.Name, GraphBuilder.Int("to", (long)input.ElementType));
        }
        graph.Node.AddRange(own);
        foreach (var input in inputs) graph.Input.Remove(input);
        graph.Input.Insert(0, GraphBuilder.Value(Input, (int)TensorProto.Types.DataType.Float, ["N", offset.ToString()]));
        return layout;
    }

    private static List<ValueInfoProto> RealInputs(ModelProto model)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet();
        return model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
    }
}
