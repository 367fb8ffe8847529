namespace Analyzer.Core.Progress;

/// <summary>Notes for the user (a provider fallback, a device missing) said once per run however often they arise.</summary>
public static class Notes
{
    public static Action<string> Once(TextWriter error)
    {
        var said = new HashSet<string>();
        return note =>
        {
            lock (said)
                if (said.Add(note)) error.WriteLine($"note: {note}");
        };
    }
}
