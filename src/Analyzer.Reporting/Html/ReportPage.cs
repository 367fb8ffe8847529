using Analyzer.Core.Measures;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Analyzer.Core.Files;
using Analyzer.Core.Results;
using Analyzer.Reporting.Files;
using Analyzer.Reporting.Images;
using Analyzer.Reporting.Plots;
using Analyzer.Reporting.Tables;

namespace Analyzer.Reporting.Html;

/// <summary>
/// One self-contained HTML page for an analyze folder (docs/design.md, report): the run's metadata, the paper's Tables 1
/// and 2, the percentile histograms per partitioning and measure (Figure 2), each partition's adjacency sorted by
/// cluster, the feature-visualisation grids with captions (Figure 6), the correlation grids and the clusterability
/// result when present. Every image is embedded as a data URI, so the page needs no network and no other file. A
/// small script on the page records whether every image decoded and every table has rows (the tests read it).
/// </summary>
public static class ReportPage
{
    public static string Build(string folder, ResultsDocument results)
    {
        var html = new StringBuilder();
        string title = $"Local specialization: {results.Model}";
        html.AppendLine("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine($"<title>{E(title)}</title>");
        html.AppendLine("<style>body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}" +
                        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}" +
                        "th{background:#f2f2f2}td:first-child,th:first-child,td:nth-child(2){text-align:left}.sig{font-weight:bold;background:#e8f4e8}" +
                        ".degenerate{color:#999;font-style:italic}figure{display:inline-block;margin:.4em;vertical-align:top}" +
                        "figcaption{font-size:.85em;color:#444;max-width:600px}img.grid{image-rendering:pixelated}dl{display:grid;" +
                        "grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}.nw{white-space:nowrap}</style></head><body>");
        html.AppendLine($"<h1>{E(title)}</h1>");
        Verdict(html, results);
        Metadata(html, results);
        Tables(html, results);
        Histograms(html, results);
        Adjacency(html, folder, results);
        Grids(html, folder, results, "visualisations", Measure.VisScore.Name, "<h2>Feature visualisations (Figure 6)</h2><p>Each grid: the " +
            "subcluster's image (framed), then its first random controls', enlarged pixel by pixel; click one for the grid with all its " +
            "controls (a file beside this page).</p>", e => I($"{e.Value:G4}"));
        Grids(html, folder, results, "correlations", Measure.Lateralisation.Name, "<h2>Correlation visualisations (Figures 4-5)</h2><p>Each grid: " +
            "the subcluster's sign-aligned Spearman correlation image with the input pixels (framed), then its first controls'; grey is " +
            "0; click one for the grid with all its controls (a file beside this page).</p>",
            e => I($"{e.Value:F3}"));
        Clusterability(html, folder);
        html.AppendLine("<pre id=\"selfcheck\"></pre>");
        html.AppendLine("<script>window.addEventListener('load',()=>{const imgs=[...document.images];" +
                        "const bad=imgs.filter(i=>!(i.complete&&i.naturalWidth>0)).length;const tables=[...document.querySelectorAll('table')];" +
                        "const empty=tables.filter(t=>t.querySelectorAll('tbody tr').length===0).length;" +
                        "document.getElementById('selfcheck').textContent=`images ${imgs.length} undecoded ${bad} tables ${tables.length} empty ${empty}`;});</script>");
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    /// <summary>What the results show, first: the summary a reviewer can paste, then one sentence per row and measure.</summary>
    private static void Verdict(StringBuilder html, ResultsDocument r)
    {
        if (r.Verdict is not { } verdict) return;
        html.AppendLine($"<h2>Verdict</h2><p id=\"summary\">{E(verdict.Summary)}</p><details><summary>Each row, in words</summary><ul>" +
                        string.Concat(verdict.Cells.Select(c => $"<li>{E(c.Sentence)}.</li>")) + "</ul></details>");
    }

    private static void Metadata(StringBuilder html, ResultsDocument r)
    {
        html.AppendLine("<h2>Run</h2><dl>");
        void Item(string name, string? value) { if (value is not null) html.AppendLine($"<dt>{E(name)}</dt><dd>{E(value)}</dd>"); }
        Item("model", r.Model);
        Item("model sha256", r.ModelSha256);
        Item("data", r.Data);
        Item("test examples", r.Examples == 0 ? "none" : r.ExamplesDrawnFrom is { } of ? $"{r.Examples} drawn from {of}" : $"{r.Examples}");
        Item("baseline accuracy", double.IsNaN(r.BaselineAccuracy) || r.Labels == "model" ? null : I($"{r.BaselineAccuracy:F4}"));
        Item("labels", r.Labels switch
        {
            "model" => "the intact model's own predictions", "data" => "the data's", "next-token" => "each position's next input token", _ => null,
        });
        Item("warnings", r.Warnings?.Where(w => w.Partitioning is null).Select(w => w.Message).ToList() is { Count: > 0 } warnings ? string.Join("; ", warnings) : null);
        Item("input sizes", r.InputShapes is { Count: > 0 } shapes ? string.Join(", ", shapes.Select(p => $"{p.Key}: {string.Join("x", p.Value)}")) : null);
        Item("measures left out", r.SkippedMeasures is { Count: > 0 } left
            ? string.Join("; ", left.GroupBy(s => s.Reason).Select(g => $"{string.Join(", ", g.Select(s => s.Measure))}: {g.Key}")) : null);
        Item("k", $"{r.K}");
        Item("random controls per subcluster", $"{r.Random}");
        Item("seed", $"{r.Seed}");
        Item("analyzer version", r.AnalyzerVersion);
        Item("device", r.Device);
        Item("reference-compat switches", r.Compat is { Count: > 0 } c ? string.Join(", ", c) : "none (the paper's definitions)");
        Item("layers", r.Layers is null ? null : string.Join(", ", r.Layers));
        Item("subclusters per partitioning", r.MaxSubclusters is { } m ? $"at most {m}" : null);
        if (r.Preprocessing is { } p)
            Item("preprocessing", p.InWords());
        html.AppendLine("</dl>");
    }

    private static void Tables(StringBuilder html, ResultsDocument r)
    {
        var measures = r.Partitionings.SelectMany(p => p.Measures.Keys).Distinct().ToList();
        string critical = r.Significance.CriticalP is { } c ? $"critical p = {PValueText.Format(c)}" : "no p-value passes";
        html.AppendLine($"<h2>Table 1: Fisher statistics</h2><p>Mean −ln(percentile) over the subclusters with its p-value; uniform " +
                        $"percentiles give 0.98. Highlighted: significant after {E(r.Significance.Method)} at α = {I($"{r.Significance.Alpha}")} over " +
                        $"this table ({E(critical)}).</p>");
        var marks = new Reporting.Tables.RowWarningMarks(r);
        Table(html, r, measures, e => e.Significant, CellText.Fisher, marks);
        if (marks.Warnings.Count > 0)
            html.AppendLine("<p>Warnings (docs/method.md §7):</p><ul>" + string.Concat(marks.Lines().Select(l => $"<li>{E(l)}</li>")) + "</ul>");
        html.AppendLine("<h2>Table 2: effect measures</h2><p>Mean of 2x/(x + μ) ± SE; above 1 more important or coherent than random " +
                        "(below 1 for softmax-entropy). Highlighted: more than 2 SE from 1 in that direction and the row's Fisher statistic " +
                        "significant; † beyond 2 SE only.</p>");
        Table(html, r, measures, e => e.Effect.Notable, CellText.Effect);
        var degenerate = r.Partitionings.SelectMany(p => p.Measures.Where(m => m.Value.Degenerate is not null)
            .Select(m => $"{p.Edges}, {p.Scope}, {m.Key}: {m.Value.Degenerate}")).ToList();
        if (degenerate.Count > 0)
            html.AppendLine("<p>Degenerate measures (greyed, never highlighted, left out of the correction):</p><ul>" +
                            string.Concat(degenerate.Select(d => $"<li>{E(d)}</li>")) + "</ul>");
    }

    private static void Table(StringBuilder html, ResultsDocument r, List<string> measures, Func<MeasureEntry, bool> highlight,
        Func<MeasureEntry, string> cell, Reporting.Tables.RowWarningMarks? marks = null)
    {
        html.AppendLine($"<table><thead><tr><th>network</th><th>partitioning</th>{string.Concat(measures.Select(m => $"<th>{E(m)}</th>"))}<th>n-cut</th></tr></thead><tbody>");
        string network = Reporting.Tables.ResultsTable.NetworkName(r);
        foreach (var p in r.Partitionings)
        {
            html.Append($"<tr><td>{E(network)}</td><td>{E(p.Edges)}, {E(p.Scope)}{E(marks?.Marks(p, null) ?? "")}</td>");
            foreach (string m in measures)
            {
                if (!p.Measures.TryGetValue(m, out var e)) { html.Append("<td>–</td>"); continue; }
                string cls = e.Degenerate is not null ? " class=\"degenerate\"" : highlight(e) ? " class=\"sig\"" : "";
                html.Append($"<td{cls}>{Unbroken(E(cell(e)))}{(e.Degenerate is not null ? " (degenerate)" : "")}{E(marks?.Marks(p, m) ?? "")}</td>");
            }
            html.AppendLine(I($"<td>{p.Ncut:F3}</td></tr>"));
        }
        html.AppendLine("</tbody></table>");
    }

    /// <summary>Keeps each parenthesised part of a cell, "(p = 1.77e-5, n = 25)", on one line: a narrow column breaks
    /// before it, never inside a number at its "e-".</summary>
    private static string Unbroken(string escaped) => Regex.Replace(escaped, @"\([^()]*\)", m => $"<span class=\"nw\">{m.Value}</span>");

    private static void Histograms(StringBuilder html, ResultsDocument r)
    {
        html.AppendLine("<h2>Percentiles of the true subclusters among their controls (Figure 2)</h2><p>Uniform (dashed line) when " +
                        "subclusters are no different from random groups; a pile-up at the left means specialised.</p>");
        foreach (var p in r.Partitionings)
            foreach (var (measure, entry) in p.Measures)
            {
                var percentiles = entry.Subclusters.Select(s => s.Percentile).ToList();
                if (percentiles.Count == 0) continue;
                var png = ReportPlots.PercentileHistogram(percentiles, $"{p.Edges}, {p.Scope}: {measure}");
                Figure(html, png, I($"{p.Edges}, {p.Scope}, {measure}: {percentiles.Count} subclusters, Fisher {entry.Fisher:F3} (p = {PValueText.Format(entry.P)})"));
            }
    }

    private static void Adjacency(StringBuilder html, string folder, ResultsDocument r)
    {
        var files = r.Partitionings.Select(p => Path.Combine(folder, "figures", $"adjacency-{p.Edges}-{p.Scope}.png")).Where(File.Exists).ToList();
        if (files.Count == 0) return;
        html.AppendLine("<h2>Adjacency sorted by cluster</h2><p>Each partition's graph with its nodes ordered by cluster (layer scope: by " +
                        "layer, then cluster), block-averaged, log scale; what a clustered graph looks like depends on the graph, as each " +
                        "caption says.</p>");
        foreach (var p in r.Partitionings)
        {
            string file = Path.Combine(folder, "figures", $"adjacency-{p.Edges}-{p.Scope}.png");
            if (File.Exists(file)) Figure(html, EmbeddedImage.Compact(File.ReadAllBytes(file), lossy: true), $"{p.Edges}, {p.Scope}: {AdjacencyCaption(p.Edges, p.Scope)}");
        }
    }

    /// <summary>What clusters look like in the sorted adjacency of this kind of graph. A weight graph joins a layer only
    /// to its neighbours, so its strong blocks sit off the diagonal; a correlation graph joins every pair of units.</summary>
    private static string AdjacencyCaption(string edges, string scope) => (edges, scope) switch
    {
        ("weights", "layer") => "nodes by layer, then by cluster within the layer. Weights join a layer only to the layers it reads and feeds, so the blocks " +
                                "on the diagonal are dark; a cluster's edges are the bright blocks off the diagonal, between a cluster " +
                                "of one layer and the clusters of the next that it feeds",
        ("weights", _) => "nodes by cluster. A cluster's edges lie inside its block on the diagonal, but weights join a layer only to " +
                          "the layers it reads and feeds, so inside each block they form patches off its own diagonal (one layer's units to the next's); " +
                          "edges between clusters lie outside the diagonal blocks",
        (_, "layer") => "nodes by layer, then by cluster. Correlations join every pair of units: each layer's clusters are bright blocks " +
                        "on the diagonal, and correlations between layers lie off it",
        _ => "nodes by cluster. Correlations join every pair of units: clusters are the bright blocks on the diagonal",
    };

    /// <summary>The grids analyze wrote under FOLDER/SUBFOLDER/EDGES-SCOPE/, each captioned from its subcluster's entry
    /// for <paramref name="measure"/>, under one heading.</summary>
    private static void Grids(StringBuilder html, string folder, ResultsDocument r, string subfolder, string measure, string heading,
        Func<SubclusterEntry, string> value)
    {
        bool any = false;
        foreach (var p in r.Partitionings)
        {
            string dir = Path.Combine(folder, subfolder, $"{p.Edges}-{p.Scope}");
            if (!Directory.Exists(dir)) continue;
            var entries = p.Measures.GetValueOrDefault(measure);
            if (!any) html.AppendLine(heading);
            any = true;
            html.AppendLine($"<h3>{E(p.Edges)}, {E(p.Scope)}</h3>");
            foreach (string file in Directory.GetFiles(dir, "*.png").Order(StringComparer.Ordinal))
            {
                var entry = entries?.Subclusters.FirstOrDefault(s => $"{FileNames.Safe(s.Layer)}-cluster{s.Cluster}.png" == Path.GetFileName(file));
                string caption = entry is null ? Path.GetFileNameWithoutExtension(file)
                    : I($"{entry.Layer}, cluster {entry.Cluster}, {entry.Size} units: {measure} {value(entry)}, percentile {entry.Percentile:F3}");
                string link = $"{subfolder}/{p.Edges}-{p.Scope}/{Path.GetFileName(file)}";
                byte[] png = File.ReadAllBytes(file);
                if (GridThumbnail.Of(png) is { } thumbnail)
                    Figure(html, thumbnail, caption, pixelated: true, scale: Math.Max(1, 64 / Math.Max(1, thumbnail.Height - 6)), link: link);
                else
                    Figure(html, EmbeddedImage.Compact(png), caption, pixelated: true, link: link);
            }
        }
    }

    private static void Clusterability(StringBuilder html, string folder)
    {
        string path = Path.Combine(folder, "clusterability.json");
        if (!File.Exists(path)) return;
        var c = JsonFiles.Read<ClusterabilityDocument>(path);
        html.AppendLine("<h2>Clusterability</h2>");
        html.AppendLine(I($"<p>k = {c.K}: n-cut {c.Ncut:F4} against {c.ShuffledNcuts.Count} networks with each layer's weights shuffled ({c.Shuffle}): ") +
                        (c.Z is { } z ? I($"z = {z:F2}, ") : "") + I($"percentile {c.Percentile:F1} (low: more clusterable than chance).</p>"));
        if (c.Reading is { } reading) html.AppendLine($"<p>{E(reading)}</p>");
        Figure(html, ReportPlots.ClusterabilityHistogram(c.Ncut, c.ShuffledNcuts), "n-cuts of the shuffled networks, the model's in red");
    }

    private static void Figure(StringBuilder html, byte[] png, string caption) => Figure(html, EmbeddedImage.Compact(png), caption);

    /// <param name="pixelated">Small images enlarged <paramref name="scale"/> times by the browser, kept sharp.</param>
    /// <param name="link">A file beside the report that the image opens: the full picture it is a thumbnail of.</param>
    private static void Figure(StringBuilder html, EmbeddedImage image, string caption, bool pixelated = false, int scale = 1, string? link = null)
    {
        string size = $" width=\"{image.Width * scale}\" height=\"{image.Height * scale}\"" + (pixelated ? " class=\"grid\"" : "");
        string img = $"<img src=\"{image.DataUri}\" alt=\"{E(caption)}\"{size}>";
        html.AppendLine("<figure>" + (link is null ? img : $"<a href=\"{E(link)}\">{img}</a>") + $"<figcaption>{E(caption)}</figcaption></figure>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
