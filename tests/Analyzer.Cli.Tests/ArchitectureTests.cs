using System.Text.RegularExpressions;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests;

/// <summary>
/// The design's rules (docs/design.md, parts and data flow), checked on the sources so that a change that breaks one
/// fails here rather than in review: Core's namespaces form no cycle, Core never touches protobuf types, Reporting never
/// computes a statistic, no file outside the operator registry keeps operator names, no handler calls another verb's,
/// and handlers stay short.
/// </summary>
public class ArchitectureTests
{
    private static string Src(string project) => Path.Combine(RepositoryFiles.Root, "src", project);

    private static IEnumerable<(string Path, string Text)> Sources(string project) =>
        Directory.EnumerateFiles(Src(project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") &&
                        !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (Path.GetRelativePath(RepositoryFiles.Root, f), File.ReadAllText(f)));

    /// <summary>The text without comments and string literals, so that only code is searched.</summary>
    private static string Code(string text) =>
        Regex.Replace(Regex.Replace(text, @"//.*", ""), @"\$?@?""(?:[^""\\]|\\.)*""", "\"\"");

    [Fact]
    public void Core_namespaces_form_no_cycle()
    {
        var edges = new Dictionary<string, HashSet<string>>();
        foreach (var (_, text) in Sources("Analyzer.Core"))
        {
            string? ns = Regex.Match(text, @"^namespace ([\w.]+);", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;
            if (ns is null) continue;
            var targets = edges.TryGetValue(ns, out var t) ? t : edges[ns] = [];
            foreach (Match use in Regex.Matches(Code(text), @"\bAnalyzer\.Core\.(\w+)"))
                if ($"Analyzer.Core.{use.Groups[1].Value}" is var target && target != ns) targets.Add(target);
        }
        var cycle = FindCycle(edges);
        Assert.True(cycle is null, $"Core's namespaces form a cycle: {string.Join(" -> ", cycle ?? [])}");
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> edges)
    {
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in edges.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1) return [.. path[path.IndexOf(next)..], next];
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in edges.Keys.Order())
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        return null;
    }

    [Fact]
    public void Core_never_touches_protobuf_types() =>
        Assert.Empty(Sources("Analyzer.Core").Where(s => Regex.IsMatch(Code(s.Text), @"Analyzer\.Onnx\.Protos|Google\.Protobuf")).Select(s => s.Path));

    [Fact]
    public void Reporting_renders_and_never_computes_a_statistic() =>
        Assert.Empty(Sources("Analyzer.Reporting").Where(s => Regex.IsMatch(Code(s.Text),
            @"\b(BenjaminiHochberg|FisherCombination|FisherDifference|EffectMeasure|ReplicateAggregation|SubclusterPercentile|IrwinHall|SignificanceMarking|ModelComparison|ReplicateAggregate)\.")).Select(s => s.Path));

    [Fact]
    public void Only_the_operator_registry_names_operators()
    {
        var offenders = new[] { "Analyzer.Core", "Analyzer.Onnx", "Analyzer.Cli", "Analyzer.Reporting" }.SelectMany(Sources)
            .Where(s => !s.Path.Contains($"Operators{Path.DirectorySeparatorChar}"))
            .Where(s => Regex.IsMatch(Regex.Replace(s.Text, @"//.*", ""), @"\b(OpType|Op)\s*(==|!=|is)\s*(not\s*)?\(?\s*""[A-Z]"))
            .Select(s => s.Path);
        Assert.Empty(offenders);
    }

    [Fact]
    public void No_handler_calls_another_verbs_and_every_handler_stays_short()
    {
        foreach (var (path, text) in Sources("Analyzer.Cli").Where(s => s.Path.Contains("Commands")))
        {
            string verb = Path.GetFileName(Path.GetDirectoryName(path))!;
            foreach (Match call in Regex.Matches(Code(text), @"\b(\w+)Handler\.Run\b"))
                Assert.True(call.Groups[1].Value == verb, $"{path} calls {call.Groups[1].Value}Handler");
            if (path.EndsWith("Handler.cs", StringComparison.Ordinal))
                Assert.True(text.Split('\n').Length <= 61, $"{path} has {text.Split('\n').Length} lines; a handler maps options to a plan and results to files");
        }
    }
}
