namespace Analyzer.Core.Datasets;

/// <summary>
/// How decoded images of any size become examples of one size: torchvision's evaluation transform (resize the shorter
/// side, centre-crop a square), or, without it, scaled to cover the size and centre-cropped.
/// </summary>
public sealed record ImageGeometry(int? Shorter, int? Crop)
{
    /// <summary>Cover-and-crop to whatever size the examples have.</summary>
    public static readonly ImageGeometry Cover = new(null, null);

    /// <summary>torchvision's standard evaluation preprocessing: Resize(256), CenterCrop(224).</summary>
    public static readonly ImageGeometry Evaluation = new(256, 224);

    public bool IsEvaluation => Shorter is not null && Crop is not null;

    /// <summary>The image, interleaved HWC bytes, as a <paramref name="outWidth"/> x <paramref name="outHeight"/> example.</summary>
    public byte[] Apply(byte[] pixels, int width, int height, int channels, int outWidth, int outHeight)
    {
        if (IsEvaluation)
        {
            var cropped = ImageResampling.ResizeShorterThenCrop(pixels, width, height, channels, Shorter!.Value, Crop!.Value);
            return ImageResampling.Cover(cropped, Crop.Value, Crop.Value, channels, outWidth, outHeight);
        }
        return ImageResampling.Cover(pixels, width, height, channels, outWidth, outHeight);
    }
}
