using Analyzer.Core.Errors;
namespace Analyzer.Core.Datasets;

/// <summary>
/// A parsed data SPEC (docs/design.md): <c>mnist[:train|test]</c>, <c>fashion-mnist[:...]</c>,
/// <c>halves-mnist[:...]</c>,
/// <c>idx:IMAGES,LABELS</c>, <c>npz:FILE</c>, <c>folder:DIR[,LABELS]</c>, <c>cifar10:DIR[:train|test]</c>. The split is null when
/// the SPEC names none (each verb picks its default).
/// </summary>
public sealed record DatasetSpec(string Kind, string? Path, string? LabelsPath, DatasetSplit? Split)
{
    public static readonly string[] NamedSets = ["mnist", "fashion-mnist", "halves-mnist"];

    /// <summary>The plan property a spec is given in (named in errors).</summary>
    private const string Setting = "Data";

    public static DatasetSpec Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new DataFormatException(Setting, "empty; use one of: mnist[:train|test], fashion-mnist[:train|test], halves-mnist[:train|test], idx:IMAGES,LABELS, npz:FILE, folder:DIR[,LABELS], cifar10:DIR[:train|test]", null);
        int colon = text.IndexOf(':');
        string kind = colon < 0 ? text : text[..colon];
        string rest = colon < 0 ? "" : text[(colon + 1)..];
        switch (kind)
        {
            case "mnist" or "fashion-mnist" or "halves-mnist":
                return new DatasetSpec(kind, null, null, rest.Length == 0 ? null : ParseSplit(rest, text));
            case "idx":
                var parts = rest.Split(',');
                if (parts.Length != 2 || parts.Any(p => p.Length == 0))
                    throw new DataFormatException(Setting, $"'{text}' needs two files: idx:IMAGES,LABELS", null);
                return new DatasetSpec(kind, parts[0], parts[1], null);
            case "npz":
                if (rest.Length == 0) throw new DataFormatException(Setting, $"'{text}' needs a path: npz:FILE", null);
                return new DatasetSpec(kind, rest, null, null);
            case "folder":
                if (rest.Length == 0) throw new DataFormatException(Setting, $"'{text}' needs a directory: folder:DIR or folder:DIR,LABELS", null);
                // A labels file follows the last comma, unless the whole text names a directory.
                int comma = rest.LastIndexOf(',');
                if (comma > 0 && !Directory.Exists(rest))
                    return new DatasetSpec(kind, rest[..comma], rest[(comma + 1)..], null);
                return new DatasetSpec(kind, rest, null, null);
            case "cifar10":
                int split = rest.LastIndexOf(':');
                if (split > 0 && rest[(split + 1)..] is "train" or "test")
                    return new DatasetSpec(kind, rest[..split], null, ParseSplit(rest[(split + 1)..], text));
                if (rest.Length == 0) throw new DataFormatException(Setting, $"'{text}' needs a directory: cifar10:DIR[:train|test]", null);
                return new DatasetSpec(kind, rest, null, null);
            default:
                throw new DataFormatException(Setting, $"'{kind}' is not a known dataset kind; use one of: mnist, fashion-mnist, halves-mnist, idx, npz, folder, cifar10", null);
        }
    }

    private static DatasetSplit ParseSplit(string split, string text) => split switch
    {
        "train" => DatasetSplit.Train,
        "test" => DatasetSplit.Test,
        _ => throw new DataFormatException(Setting, $"'{text}': split '{split}' is not train or test", null),
    };
}
