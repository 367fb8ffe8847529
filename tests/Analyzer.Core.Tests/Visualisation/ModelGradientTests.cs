using Analyzer.Core.Networks;
using Analyzer.Core.Activations;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Visualisation;

/// <summary>
/// The whole generated input gradient of every committed model, for the objective over all of its pre-activation
/// points at once, against central finite differences of a float64 copy of the model.
/// </summary>
public class ModelGradientTests
{
    [Theory]
    [InlineData("fmnist-mlp.onnx", null)]
    [InlineData("fmnist-cnn.onnx", 24)]
    [InlineData("fmnist-vgg-bn.onnx", 24)]
    [InlineData("fmnist-vgg-bn-folded.onnx", 24)]
    [InlineData("fmnist-resnet.onnx", 24)]
    public void Input_gradient_matches_float64_finite_differences(string model, int? elements)
    {
        var network = ModelNetwork.Load(RepositoryFiles.Model(model));
        var targets = PreActivationPoints.Find(network).Select(p => p.Tensor).ToList();
        GradientCheck.AssertMatches(network.Path, targets, seed: 5, elements: elements, inputScale: 0.5);
    }

    public static TheoryData<string> Families() => new()
    {
        "vgg-bn-tiny", "resnet-tiny", "resnext-tiny", "mobilenet-v2-tiny", "mobilenet-v3-tiny", "efficientnet-tiny", "mnasnet-tiny",
        "regnet-tiny", "densenet-tiny", "shufflenet-v2-tiny", "squeezenet-tiny", "googlenet-tiny", "inception-v3-tiny",
        "convnext-tiny", "vit-tiny",
    };

    /// <summary>Every torchvision family (tests/models): all its pre-activation points at once, units on their own axes.</summary>
    [Theory]
    [MemberData(nameof(Families))]
    public void Input_gradient_of_each_torchvision_family_matches_float64_finite_differences(string model)
    {
        var network = ModelNetwork.Load(RepositoryFiles.TestModel($"{model}.onnx"));
        var points = PreActivationPoints.Find(network).GroupBy(p => p.Tensor).Select(g => g.First()).ToList();
        GradientCheck.AssertMatches(network.Path, points.Select(p => p.Tensor).ToList(), seed: 3, elements: 12, inputScale: 0.5,
            unitAxes: points.Select(p => p.UnitAxis).ToList());
    }

    [SkippableFact]
    public void Input_gradient_of_the_winml_cifar_cnn_matches_float64_finite_differences()
    {
        // A real PyTorch 1.7 export at opset 10 (RGB input, 5x5 convs, one 2x2 MaxPool): the graph is written in opset 10
        // forms; its operators mean the same at opset 13, where the float64 reference is written.
        string? shared = RepositoryFiles.SharedData;
        Skip.If(shared is null, "../shared/data is not beside this checkout");
        var network = ModelNetwork.Load(Path.Combine(shared!, "onnx-real", "cifar10-winml-tutorial-cnn.onnx"));
        var targets = PreActivationPoints.Find(network).Select(p => p.Tensor).ToList();
        GradientCheck.AssertMatches(network.Path, targets, seed: 2, elements: 16, inputScale: 0.5, opsetFloor: 13);
    }
}
