using Analyzer.Core.Errors;

namespace Analyzer.Cli.Options;

/// <summary>
/// The flag that sets each of Core's settings, so that an error Core raises in its own words ("MaxSubclusters: 0; ...")
/// reads as the command line's ("--max-subclusters: 0; ..."): the kebab-cased setting, but for the few flags named
/// otherwise.
/// </summary>
public static class SettingFlags
{
    private static readonly Dictionary<string, string> Renamed = new()
    {
        ["K"] = "-k",
        ["Scopes"] = "--scope",
    };

    public static string Of(string setting) => Renamed.GetValueOrDefault(setting) ?? "--" + Choices.Kebab(setting);
}
