using Analyzer.Core.Errors;
using System.Globalization;

namespace Analyzer.Core.Datasets;

/// <summary>
/// What the model expects of a pixel p in 0..255: x = (p · Scale - Mean[c]) / Std[c] per channel c (docs/design.md:
/// --scale, --mean, --std; default pixels / 255). One mean or std value applies to every channel. With
/// <see cref="Bgr"/>, three-channel images reach the model in blue-green-red order (models trained with OpenCV/Caffe).
/// <see cref="Geometry"/> says how image files of any size become examples of one size.
/// </summary>
public sealed record Preprocessing(double Scale, IReadOnlyList<double> Mean, IReadOnlyList<double> Std, bool Bgr = false)
{
    public static readonly Preprocessing Default = new(1.0 / 255, [0.0], [1.0]);

    /// <summary>torchvision's standard evaluation preprocessing of ImageNet models: Resize(256), CenterCrop(224),
    /// ToTensor, Normalize(mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)).</summary>
    public static readonly Preprocessing TorchvisionEvaluation = new(1.0 / 255, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    {
        Geometry = ImageGeometry.Evaluation,
    };

    public ImageGeometry Geometry { get; init; } = ImageGeometry.Cover;

    public double MeanFor(int channel, int channels) => Pick(Mean, channel, channels, nameof(Mean));
    public double StdFor(int channel, int channels) => Pick(Std, channel, channels, nameof(Std));

    private static double Pick(IReadOnlyList<double> values, int channel, int channels, string what)
    {
        if (values.Count == 1) return values[0];
        if (values.Count != channels)
            throw new DataFormatException($"--{what.ToLowerInvariant()} has {values.Count} values but the data has {channels} channels");
        return values[channel];
    }

    /// <summary>Parses "0.5" or "0.485,0.456,0.406".</summary>
    public static IReadOnlyList<double> ParseList(string text, string option)
    {
        try
        {
            return text.Split(',', StringSplitOptions.TrimEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new DataFormatException($"{option}: '{text}' is not a number or a comma-separated list of numbers");
        }
    }
}
