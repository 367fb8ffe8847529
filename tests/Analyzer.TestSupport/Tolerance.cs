namespace Analyzer.TestSupport;

/// <summary>An absolute-plus-relative tolerance: |a - b| ≤ Absolute + Relative · |b|. NaNs and same-signed infinities
/// compare equal.</summary>
public readonly record struct Tolerance(double Absolute, double Relative)
{
    public static readonly Tolerance Exact = new(0, 0);
    public static readonly Tolerance Statistics = new(1e-9, 1e-9);
    public static readonly Tolerance Correlation = new(1e-6, 1e-6);
    /// <summary>Float32 weights summed in float64.</summary>
    public static readonly Tolerance Float32Weights = new(1e-6, 1e-5);

    public bool Equal(double actual, double expected) =>
        (double.IsNaN(actual) && double.IsNaN(expected)) || actual == expected ||
        Math.Abs(actual - expected) <= Absolute + Relative * Math.Abs(expected);

    /// <summary>Throws with the first differing index and both values.</summary>
    public void AssertAll(IReadOnlyList<double> actual, IReadOnlyList<double> expected, string what = "values")
    {
        if (actual.Count != expected.Count)
            throw new Xunit.Sdk.XunitException($"{what}: {actual.Count} values, expected {expected.Count}");
        for (int i = 0; i < actual.Count; i++)
            if (!Equal(actual[i], expected[i]))
                throw new Xunit.Sdk.XunitException($"{what}[{i}] = {actual[i]:R}, expected {expected[i]:R} (tolerance {Absolute} + {Relative}·|x|)");
    }
}
