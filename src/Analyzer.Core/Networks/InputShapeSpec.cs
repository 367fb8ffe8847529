using Analyzer.Core.Datasets;
using Analyzer.Core.Errors;
using Analyzer.Onnx;

namespace Analyzer.Core.Networks;

/// <summary>
/// The input-shape setting in text, <c>[NAME=]DIMS[,NAME=DIMS...]</c> with DIMS the sizes after the batch joined by x
/// (<c>3x48x192</c>, <c>input_ids=16,attention_mask=16</c>), and the sizes a dataset's examples give
/// (docs/method.md §10, free dimensions).
/// </summary>
public static class InputShapeSpec
{
    public const string Setting = "InputShape";

    public static InputShapes Parse(string text)
    {
        var byName = new Dictionary<string, long[]>(StringComparer.Ordinal);
        long[]? unnamed = null;
        foreach (string entry in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int eq = entry.IndexOf('=');
            string name = eq < 0 ? "" : entry[..eq].Trim();
            string dimsText = eq < 0 ? entry : entry[(eq + 1)..].Trim();
            var parts = dimsText.Split('x', StringSplitOptions.TrimEntries);
            var dims = new long[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!long.TryParse(parts[i], out dims[i]) || dims[i] <= 0)
                    throw new UsageException(Setting, $"'{entry}' is not [NAME=]DIMS with DIMS positive sizes after the batch joined by x (e.g. 3x48x192)");
            if (eq < 0)
            {
                if (unnamed is not null || text.Contains('='))
                    throw new UsageException(Setting, $"'{text}': with several inputs name each one (NAME=DIMS,NAME=DIMS)");
                unnamed = dims;
            }
            else if (name.Length == 0 || !byName.TryAdd(name, dims))
                throw new UsageException(Setting, $"'{entry}': {(name.Length == 0 ? "an empty input name" : $"input '{name}' is given twice")}");
        }
        return InputShapes.FromUser(byName, unnamed);
    }

    /// <summary>The sizes of one example of <paramref name="data"/>: its named arrays' sizes, or the image's
    /// channels x height x width, or a feature vector's length. Only a model's free sizes are taken from them.</summary>
    public static InputShapes FromData(ImageDataset data) =>
        data.Fields is { } fields
            ? InputShapes.FromData(fields.ToDictionary(f => f.Name, f => f.Dims), fields.Count == 1 ? fields[0].Dims : null)
            : InputShapes.FromData(new Dictionary<string, long[]>(), data.IsVector ? [data.Width] : [data.Channels, data.Height, data.Width]);
}
