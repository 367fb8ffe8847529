namespace Analyzer.Core.Progress;

/// <summary>Lines written through it reach the inner writer with a prefix: an inner verb's progress indented under the
/// outer verb's own lines (reproduce, screen).</summary>
public sealed class PrefixWriter(TextWriter inner, string prefix) : TextWriter
{
    public override System.Text.Encoding Encoding => inner.Encoding;
    public override void WriteLine(string? value) => inner.WriteLine(prefix + value);
    public override void Write(char value) => inner.Write(value);
}
