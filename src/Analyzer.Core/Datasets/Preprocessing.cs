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
            throw new DataFormatException(what, $"{values.Count} values but the data has {channels} channels", null);
        return values[channel];
    }

    /// <summary>Refuses what cannot be applied (a usage error naming the property): a scale that is not positive, a mean
    /// that is not finite, a std of 0 or not finite (dividing by 0 would run and report a meaningless accuracy).</summary>
    public void Validate()
    {
        if (!(Scale > 0) || !double.IsFinite(Scale))
            throw new UsageException(nameof(Scale), $"{Scale.ToString(CultureInfo.InvariantCulture)}; expected a positive number");
        if (Mean.Any(m => !double.IsFinite(m)))
            throw new UsageException(nameof(Mean), $"{string.Join(",", Mean)}; expected finite numbers");
        if (Std.Any(s => s == 0 || !double.IsFinite(s)))
            throw new UsageException(nameof(Std), $"{string.Join(",", Std.Select(s => s.ToString(CultureInfo.InvariantCulture)))}; " +
                                                  "expected non-zero finite numbers (pixels are divided by them)");
    }

    /// <summary>Parses "0.5" or "0.485,0.456,0.406" given for <paramref name="setting"/>.</summary>
    public static IReadOnlyList<double> ParseList(string text, string setting)
    {
        try
        {
            return text.Split(',', StringSplitOptions.TrimEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new DataFormatException(setting, $"'{text}' is not a number or a comma-separated list of numbers", null);
        }
    }
}
