using Analyzer.Core.Errors;
using System.Globalization;

namespace Analyzer.Core.Datasets;

/// <summary>
/// The files of a folder dataset and their labels: one subfolder per class (sorted by name, as torchvision's
/// ImageFolder numbers them), or a labels file whose lines are "PATH LABEL" (PATH relative to the folder, LABEL the
/// model's class index; whitespace or a comma between; # starts a comment).
/// </summary>
public sealed record ImageFolderListing(string Source, string[] Files, int[] Labels, int Classes)
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp"];

    public static ImageFolderListing Read(string dir, string? labelsFile)
    {
        if (!Directory.Exists(dir)) throw new DataFormatException($"{dir}: directory not found");
        return labelsFile is null ? FromSubfolders(dir) : FromLabelsFile(dir, labelsFile);
    }

    private static ImageFolderListing FromSubfolders(string dir)
    {
        var classDirs = Directory.GetDirectories(dir).OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0)
            throw new DataFormatException($"{dir}: no class subfolders; expected one subfolder of images per class, or folder:DIR,LABELS with a labels file");
        var files = classDirs.SelectMany((d, label) => Directory.GetFiles(d)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .OrderBy(f => f, StringComparer.Ordinal).Select(f => (File: f, Label: label))).ToList();
        if (files.Count == 0) throw new DataFormatException($"{dir}: the class subfolders hold no PNG, JPEG or BMP images");
        return new ImageFolderListing(dir, files.Select(f => f.File).ToArray(), files.Select(f => f.Label).ToArray(), Math.Max(classDirs.Length, 2));
    }

    private static ImageFolderListing FromLabelsFile(string dir, string labelsFile)
    {
        if (!File.Exists(labelsFile)) throw new DataFormatException($"{labelsFile}: labels file not found");
        var files = new List<string>();
        var labels = new List<int>();
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(labelsFile))
        {
            lineNumber++;
            string line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            int split = line.LastIndexOfAny([' ', '\t', ',']);
            if (split <= 0 || !int.TryParse(line[(split + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int label))
                throw new DataFormatException($"{labelsFile}:{lineNumber}: expected 'PATH LABEL' with LABEL a class index, found '{raw.Trim()}'");
            string path = Path.Combine(dir, line[..split].Trim().TrimEnd(','));
            if (!File.Exists(path)) throw new DataFormatException($"{labelsFile}:{lineNumber}: {path}: file not found");
            files.Add(path);
            labels.Add(label);
        }
        if (files.Count == 0) throw new DataFormatException($"{labelsFile}: no 'PATH LABEL' lines");
        return new ImageFolderListing(dir, files.ToArray(), labels.ToArray(), Math.Max(labels.Max() + 1, 2));
    }
}
