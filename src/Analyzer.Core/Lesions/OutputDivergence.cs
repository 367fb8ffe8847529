using System.Runtime.Intrinsics;
using Analyzer.Core.Networks;
using Analyzer.Onnx.Operators;

namespace Analyzer.Core.Lesions;

/// <summary>
/// How far one example's lesioned outputs lie from the intact model's (docs/method.md §6, output-change), summed over
/// the output's positions (<see cref="OutputLayout"/>): for class scores, the KL divergence KL(p ‖ q) of the lesioned
/// distribution q from the intact one p (the outputs themselves when the model ends in a softmax, else the softmax of
/// its logits); for a single score, the squared change divided by the intact scores' variance over examples and
/// positions (the plain squared change when they do not vary).
/// </summary>
public sealed class OutputDivergence
{
    private readonly bool probabilities;
    private readonly OutputLayout layout;
    private readonly double variance;
    // Per example, what depends only on the intact logits (log p and p per value), taken once instead of once per
    // lesion: two thirds of the exponentials. Null where the outputs are not logits of several classes, or too many to
    // keep.
    private readonly double[]? intactLog, intactProbability;

    /// <summary>Most intact output values whose log-probabilities are kept (16 bytes each).</summary>
    private const long MaxKeptValues = 4L << 20;

    private OutputDivergence(bool probabilities, OutputLayout layout, double variance, float[] intact, int examples)
    {
        this.probabilities = probabilities;
        this.layout = layout;
        this.variance = variance;
        long count = (long)examples * layout.Values;
        if (probabilities || layout.Classes == 1 || count > MaxKeptValues) return;
        intactLog = new double[count];
        intactProbability = new double[count];
        for (int e = 0; e < examples; e++)
        {
            var row = intact.AsSpan(e * layout.Values, layout.Values);
            for (int p = 0; p < layout.Positions; p++)
            {
                double lp = LogSumExp(row, p);
                for (int c = 0; c < layout.Classes; c++)
                {
                    int i = layout.Index(p, c);
                    double logP = row[i] - lp;
                    intactLog[(long)e * layout.Values + i] = logP;
                    intactProbability[(long)e * layout.Values + i] = Math.Exp(logP);
                }
            }
        }
    }

    /// <summary>The divergence for <paramref name="network"/>'s output, given the intact outputs of every example.</summary>
    public static OutputDivergence For(ModelNetwork network, OutputLayout layout, float[] intact, int examples)
    {
        string output = network.Graph.Outputs[0].Name;
        bool probabilities = network.Graph.Nodes.Any(n => n.Outputs.Contains(output) &&
            OperatorRegistry.Find(n.OpType)?.Traits is { Probabilities: true, Reach: ActivationReach.Distribution });
        double variance = 0;
        long count = (long)examples * layout.Values;
        if (layout.Classes == 1 && count > 1)
        {
            double mean = 0;
            for (long e = 0; e < count; e++) mean += intact[e];
            mean /= count;
            for (long e = 0; e < count; e++) variance += (intact[e] - mean) * (intact[e] - mean);
            variance /= count - 1;
        }
        return new OutputDivergence(probabilities, layout, variance, intact, examples);
    }

    /// <summary>The divergence for logits (not probabilities) laid out as <paramref name="layout"/>.</summary>
    internal static OutputDivergence OfLogits(OutputLayout layout, float[] intact, int examples) =>
        new(false, layout, 0, intact, examples);

    /// <summary>The divergence of <paramref name="lesioned"/> from <paramref name="intact"/> (one example's outputs),
    /// summed over positions.</summary>
    private double Between(ReadOnlySpan<float> intact, ReadOnlySpan<float> lesioned)
    {
        double total = 0;
        for (int p = 0; p < layout.Positions; p++) total += At(intact, lesioned, p);
        return total;
    }

    /// <summary><see cref="Between(ReadOnlySpan{float}, ReadOnlySpan{float})"/> for example <paramref name="example"/> of
    /// the intact outputs this was made from, with what depends on them alone taken from the ones kept (the same
    /// operations on the same values, so the same bits).</summary>
    private double Between(int example, ReadOnlySpan<float> intact, ReadOnlySpan<float> lesioned)
    {
        if (intactLog is null || intactProbability is null) return Between(intact, lesioned);
        double total = 0;
        for (int p = 0; p < layout.Positions; p++)
        {
            double lq = LogSumExp(lesioned, p), kl = 0;
            for (int c = 0; c < layout.Classes; c++)
            {
                int i = layout.Index(p, c);
                long at = (long)example * layout.Values + i;
                kl += intactProbability[at] * (intactLog[at] - (lesioned[i] - lq));
            }
            total += Math.Max(0, kl);
        }
        return total;
    }

    /// <summary>
    /// <paramref name="total"/> plus the divergences of <paramref name="count"/> consecutive examples from
    /// <paramref name="first"/> on, whose lesioned outputs are the consecutive rows of <paramref name="lesioned"/>, added
    /// one by one in example order. Logits of one position go four examples at a time through vector exponentials and
    /// logarithms (a fifth of a lesion sweep's time on the MLP was scalar ones); an example's value does not depend on
    /// its neighbours, only on its own outputs.
    /// </summary>
    public double Add(double total, float[] intact, int first, int count, ReadOnlySpan<float> lesioned)
    {
        int values = layout.Values, classes = layout.Classes;
        if (intactLog is null || intactProbability is null || layout.Positions != 1)
        {
            for (int e = 0; e < count; e++)
                total += Between(first + e, intact.AsSpan((int)((long)(first + e) * values), values), lesioned.Slice(e * values, values));
            return total;
        }
        const int Lanes = 4;
        var logits = new double[classes * Lanes];
        var logP = new double[classes * Lanes];
        var p = new double[classes * Lanes];
        Span<double> kl = stackalloc double[Lanes];
        for (int e0 = 0; e0 < count; e0 += Lanes)
        {
            for (int i = 0; i < Lanes; i++)
            {
                int e = Math.Min(e0 + i, count - 1); // lanes past the end repeat the last example and are not added
                var row = lesioned.Slice(e * values, values);
                long at = (long)(first + e) * values;
                for (int c = 0; c < classes; c++)
                {
                    int index = layout.Index(0, c);
                    logits[c * Lanes + i] = row[index];
                    logP[c * Lanes + i] = intactLog[at + index];
                    p[c * Lanes + i] = intactProbability[at + index];
                }
            }
            var max = Vector256.Create(double.NegativeInfinity);
            for (int c = 0; c < classes; c++) max = Vector256.Max(max, Vector256.LoadUnsafe(ref logits[c * Lanes]));
            var sum = Vector256<double>.Zero;
            for (int c = 0; c < classes; c++) sum += Vector256.Exp(Vector256.LoadUnsafe(ref logits[c * Lanes]) - max);
            var logQ = max + Vector256.Log(sum);
            var divergence = Vector256<double>.Zero;
            for (int c = 0; c < classes; c++)
                divergence += Vector256.LoadUnsafe(ref p[c * Lanes]) *
                    (Vector256.LoadUnsafe(ref logP[c * Lanes]) - (Vector256.LoadUnsafe(ref logits[c * Lanes]) - logQ));
            divergence.CopyTo(kl);
            for (int i = 0; i < Lanes && e0 + i < count; i++) total += Math.Max(0, kl[i]);
        }
        return total;
    }

    private double At(ReadOnlySpan<float> intact, ReadOnlySpan<float> lesioned, int position)
    {
        if (layout.Classes == 1)
        {
            int i = layout.Index(position, 0);
            double d = (double)lesioned[i] - intact[i];
            return variance > 0 ? d * d / variance : d * d;
        }
        // KL(p ‖ q) = Σ p (log p − log q), with log-probabilities from the logits (stable) or from the probabilities.
        double kl = 0;
        if (probabilities)
        {
            for (int c = 0; c < layout.Classes; c++)
            {
                int i = layout.Index(position, c);
                if (intact[i] > 0) kl += intact[i] * (Math.Log(intact[i]) - Math.Log(Math.Max(lesioned[i], 1e-30)));
            }
            return Math.Max(0, kl);
        }
        double lp = LogSumExp(intact, position), lq = LogSumExp(lesioned, position);
        for (int c = 0; c < layout.Classes; c++)
        {
            int i = layout.Index(position, c);
            double logP = intact[i] - lp;
            kl += Math.Exp(logP) * (logP - (lesioned[i] - lq));
        }
        return Math.Max(0, kl);
    }

    private double LogSumExp(ReadOnlySpan<float> values, int position)
    {
        double max = double.NegativeInfinity;
        for (int c = 0; c < layout.Classes; c++) max = Math.Max(max, values[layout.Index(position, c)]);
        double sum = 0;
        for (int c = 0; c < layout.Classes; c++) sum += Math.Exp(values[layout.Index(position, c)] - max);
        return max + Math.Log(sum);
    }
}
