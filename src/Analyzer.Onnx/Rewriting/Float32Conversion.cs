using System.Buffers.Binary;
using Analyzer.Onnx.Protos;
using Google.Protobuf;

namespace Analyzer.Onnx.Rewriting;

/// <summary>
/// A float16 or bfloat16 model rewritten to compute in float32 (docs/method.md §10): initializers, constants, casts and
/// declared tensor types become float32. Widening is exact, so the rewritten model computes what the original's
/// weights define, in the precision every other part of Analyzer (masks, gradients, kernels) works in; ONNX Runtime's
/// CPU provider has few float16 kernels anyway.
/// </summary>
internal static class Float32Conversion
{
    private const int Float = 1, Float16 = 10, BFloat16 = 16;

    /// <summary>Whether the model declares any float16 or bfloat16 tensor.</summary>
    public static bool Needed(ModelProto model) =>
        model.Graph.Initializer.Any(t => t.DataType is Float16 or BFloat16)
        || model.Graph.Input.Concat(model.Graph.Output).Any(v => v.Type?.TensorType?.ElemType is Float16 or BFloat16)
        || model.Graph.Node.Any(n => n.Attribute.Any(a => a.T is { DataType: Float16 or BFloat16 } || (IsTargetType(n, a) && a.I is Float16 or BFloat16)));

    public static ModelProto Convert(ModelProto source)
    {
        var model = source.Clone();
        var graph = model.Graph;
        for (int i = 0; i < graph.Initializer.Count; i++)
            if (graph.Initializer[i].DataType is Float16 or BFloat16) graph.Initializer[i] = Widen(graph.Initializer[i]);
        foreach (var node in graph.Node)
            foreach (var a in node.Attribute)
            {
                if (a.T is { DataType: Float16 or BFloat16 } t) a.T = Widen(t);
                if (IsTargetType(node, a) && a.I is Float16 or BFloat16) a.I = Float;
            }
        foreach (var v in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
            if (v.Type?.TensorType is { ElemType: Float16 or BFloat16 } tensor) tensor.ElemType = Float;
        return model;
    }

    /// <summary>Whether <paramref name="attribute"/> names the element type <paramref name="node"/> converts to (Cast's "to").</summary>
    private static bool IsTargetType(NodeProto node, AttributeProto attribute) =>
        attribute.Name == Operators.OperatorRegistry.Find(node.OpType)?.Traits.ElementTypeAttribute;

    private static TensorProto Widen(TensorProto t)
    {
        long count = t.Dims.Aggregate(1L, (a, d) => a * d);
        var values = new float[count];
        var raw = t.RawData.Span;
        for (int i = 0; i < count; i++)
        {
            ushort bits = raw.Length > 0 ? BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) : (ushort)t.Int32Data[i];
            values[i] = t.DataType == Float16 ? (float)BitConverter.UInt16BitsToHalf(bits) : BitConverter.Int32BitsToSingle(bits << 16);
        }
        var bytes = new byte[count * 4];
        for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        var widened = t.Clone();
        widened.DataType = Float;
        widened.Int32Data.Clear();
        widened.RawData = ByteString.CopyFrom(bytes);
        return widened;
    }
}
