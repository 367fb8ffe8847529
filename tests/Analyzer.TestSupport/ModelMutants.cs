using Analyzer.Onnx.Protos;
using Google.Protobuf;

namespace Analyzer.TestSupport;

/// <summary>Structurally broken versions of a real ONNX file, for the fuzz tests: each a well-formed protobuf whose graph
/// is wrong in one way.</summary>
public static class ModelMutants
{
    public static IReadOnlyList<(string Name, byte[] Bytes)> Of(byte[] model)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        byte[] Mutant(Action<GraphProto> change)
        {
            var copy = proto.Clone();
            change(copy.Graph);
            return copy.ToByteArray();
        }
        TensorProto Matrix(GraphProto g) => g.Initializer.First(t => t.Dims.Count > 1);
        return
        [
            ("wrong dims", Mutant(g => Matrix(g).Dims[0] += 1)),
            ("huge dims", Mutant(g => Matrix(g).Dims[0] = 1L << 40)),
            ("negative dims", Mutant(g => Matrix(g).Dims[0] = -3)),
            ("missing initializer", Mutant(g => g.Initializer.RemoveAt(0))),
            ("duplicate initializer", Mutant(g => g.Initializer.Add(g.Initializer[0].Clone()))),
            ("cycle", Mutant(g => g.Node[0].Input[0] = g.Node[^1].Output[0])),
            ("self loop", Mutant(g => g.Node[1].Input[0] = g.Node[1].Output[0])),
            ("no nodes", Mutant(g => g.Node.Clear())),
            ("no outputs", Mutant(g => g.Output.Clear())),
            ("unknown op", Mutant(g => g.Node[0].OpType = "Frobnicate")),
            ("huge input", Mutant(g => g.Input[0].Type.TensorType.Shape.Dim[1].DimValue = 1L << 40)),
        ];
    }
}
