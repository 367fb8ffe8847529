namespace Analyzer.Core.Datasets;

/// <summary>
/// A parsed data SPEC of the command line (DESIGN.md): <c>mnist[:train|test]</c>, <c>fashion-mnist[:...]</c>,
/// <c>idx:IMAGES,LABELS</c>. The split is null when the SPEC names none (each verb picks its default).
/// </summary>
public sealed record DatasetSpec(string Kind, string? Path, string? LabelsPath, DatasetSplit? Split)
{
    public static readonly string[] NamedSets = ["mnist", "fashion-mnist"];

    public static DatasetSpec Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new DataFormatException("--data: empty; use one of: mnist[:train|test], fashion-mnist[:train|test], idx:IMAGES,LABELS");
        int colon = text.IndexOf(':');
        string kind = colon < 0 ? text : text[..colon];
        string rest = colon < 0 ? "" : text[(colon + 1)..];
        switch (kind)
        {
            case "mnist" or "fashion-mnist":
                return new DatasetSpec(kind, null, null, rest.Length == 0 ? null : ParseSplit(rest, text));
            case "idx":
                var parts = rest.Split(',');
                if (parts.Length != 2 || parts.Any(p => p.Length == 0))
                    throw new DataFormatException($"--data: '{text}' needs two files: idx:IMAGES,LABELS");
                return new DatasetSpec(kind, parts[0], parts[1], null);
            default:
                throw new DataFormatException($"--data: '{kind}' is not a known dataset kind; use one of: mnist, fashion-mnist, idx");
        }
    }

    private static DatasetSplit ParseSplit(string split, string text) => split switch
    {
        "train" => DatasetSplit.Train,
        "test" => DatasetSplit.Test,
        _ => throw new DataFormatException($"--data: '{text}': split '{split}' is not train or test"),
    };
}
