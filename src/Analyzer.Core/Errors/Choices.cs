namespace Analyzer.Core.Errors;

/// <summary>
/// Turns names into the values of a closed vocabulary (edge kinds, scopes, measures) once, where a request comes in;
/// an unknown name is a <see cref="UsageException"/> that names the setting, the value given and every value allowed.
/// </summary>
public static class Choices
{
    /// <summary>The values a comma-separated list names, in the list's order; an empty list is refused too.</summary>
    public static IReadOnlyList<T> ParseList<T>(string setting, string? list, IReadOnlyList<T> allowed, Func<T, string> name)
    {
        var names = Split(list);
        if (names.Count == 0)
            throw new UsageException(setting, $"'{list}'; use a comma-separated list of: {string.Join(", ", allowed.Select(name))}");
        return names.Select(n => Parse(setting, n, allowed, name, list)).ToList();
    }

    /// <summary>The value <paramref name="text"/> names.</summary>
    public static T Parse<T>(string setting, string text, IReadOnlyList<T> allowed, Func<T, string> name, string? given = null)
    {
        foreach (var value in allowed)
            if (name(value) == text) return value;
        throw new UsageException(setting, $"'{given ?? text}'; use {(given is null ? "one" : "a comma-separated list")} of: {string.Join(", ", allowed.Select(name))}");
    }

    /// <summary>The items of a comma-separated list, trimmed, empty ones left out.</summary>
    public static IReadOnlyList<string> Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>An enum member's name as files and the command line write it: <c>Weights</c> is "weights",
    /// <c>MaxSubclusters</c> "max-subclusters".</summary>
    public static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
