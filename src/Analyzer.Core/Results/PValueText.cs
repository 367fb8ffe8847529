using System.Globalization;

namespace Analyzer.Core.Results;

/// <summary>The one way p-values are written, in files, tables, captions and sentences alike: three significant digits,
/// and below 0.001 as 1.32e-8 (never 1.32E-08).</summary>
public static class PValueText
{
    public static string Format(double p, int digits = 3) => p >= 0.001 || p == 0 || !double.IsFinite(p)
        ? p.ToString($"G{digits}", CultureInfo.InvariantCulture)
        : p.ToString($"0.{new string('#', digits - 1)}e+0", CultureInfo.InvariantCulture);
}
