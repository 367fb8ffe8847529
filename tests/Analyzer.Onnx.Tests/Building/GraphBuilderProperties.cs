using Analyzer.Onnx.Building;
using Analyzer.TestSupport;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf;

namespace Analyzer.Onnx.Tests.Building;

/// <summary>What the graph builder writes is what a reader of the file finds: nodes in order with their inputs, outputs,
/// domains and attributes, initializers with their values, and the imports of every domain written.</summary>
public class GraphBuilderProperties
{
    [Property(MaxTest = 100)]
    public Property Nodes_attributes_and_initializers_survive_a_file_round_trip(NonEmptyArray<long> values, PositiveInt chain, double scale, string? text)
    {
        int length = 1 + chain.Get % 6;
        var builder = GraphBuilder.NewModel(13);
        builder.Graph.Input.Add(GraphBuilder.Value("x", 1, ["N", "3"]));
        string shape = builder.Int64s(values.Get, [values.Get.Length], "the_values");
        string current = "x";
        var attributes = new List<(string Op, long I, double F, string S)>();
        for (int i = 0; i < length; i++)
        {
            double f = double.IsFinite(scale) ? (float)scale : 0.5;
            string s = text ?? "";
            current = builder.Add("Identity", [current], null, GraphBuilder.Int("i", i), GraphBuilder.Float("f", f), GraphBuilder.String("s", s),
                GraphBuilder.Ints("is", values.Get));
            attributes.Add(("Identity", i, f, s));
        }
        builder.Node("Relu", [current], ["y"], "custom", "com.example");
        builder.Graph.Output.Add(GraphBuilder.Value("y", 1));
        string path = Path.Combine(TempDirectory.Create(), "m.onnx");
        File.WriteAllBytes(path, builder.Model.ToByteArray());

        var graph = OnnxModelFile.Load(path).Graph;
        bool nodes = graph.Nodes.Count == length + 1
            && graph.Nodes.Take(length).Select((n, i) => n.OpType == "Identity" && n.GetInt("i", -1) == attributes[i].I
                && n.GetFloat("f", double.NaN) == attributes[i].F && n.GetString("s", "?") == attributes[i].S
                && n.GetInts("is")!.SequenceEqual(values.Get) && n.Inputs[0] == (i == 0 ? "x" : graph.Nodes[i - 1].Outputs[0])).All(ok => ok)
            && graph.Nodes[^1] is { OpType: "Relu", Domain: "com.example", Name: "custom" } last && last.Outputs[0] == "y";
        bool imports = builder.Model.OpsetImport.Any(o => o.Domain == "com.example") && graph.OpsetVersion == 13;
        bool initializer = graph.Initializers[shape].AsInt64s().SequenceEqual(values.Get);
        return (nodes && imports && initializer).ToProperty();
    }
}
