namespace Analyzer.Cli;

/// <summary>Exit codes of every verb (docs/design.md).</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Bug = 1;
    public const int Usage = 2;
    public const int BadInput = 3;
}
