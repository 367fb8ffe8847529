using Analyzer.Core.Networks;
using Analyzer.Onnx.Operators;

namespace Analyzer.Core.Lesions;

/// <summary>
/// How far one example's lesioned outputs lie from the intact model's (docs/method.md §6, output-change): for class
/// scores, the KL divergence KL(p ‖ q) of the lesioned distribution q from the intact one p (the outputs themselves
/// when the model ends in a softmax, else the softmax of its logits); for a single output, the squared change divided by
/// the intact outputs' variance over the examples (the plain squared change when they do not vary).
/// </summary>
public sealed class OutputDivergence
{
    private readonly bool probabilities;
    private readonly int classes;
    private readonly double variance;

    private OutputDivergence(bool probabilities, int classes, double variance)
    {
        this.probabilities = probabilities;
        this.classes = classes;
        this.variance = variance;
    }

    /// <summary>The divergence for <paramref name="network"/>'s output, given the intact outputs of every example.</summary>
    public static OutputDivergence For(ModelNetwork network, float[] intact, int examples, int classes)
    {
        string output = network.Graph.Outputs[0].Name;
        bool probabilities = network.Graph.Nodes.Any(n => n.Outputs.Contains(output) &&
            OperatorRegistry.Find(n.OpType)?.Traits is { Probabilities: true, Reach: ActivationReach.Distribution });
        double variance = 0;
        if (classes == 1 && examples > 1)
        {
            double mean = 0;
            for (int e = 0; e < examples; e++) mean += intact[e];
            mean /= examples;
            for (int e = 0; e < examples; e++) variance += (intact[e] - mean) * (intact[e] - mean);
            variance /= examples - 1;
        }
        return new OutputDivergence(probabilities, classes, variance);
    }

    /// <summary>The divergence of <paramref name="lesioned"/> from <paramref name="intact"/> (one example's outputs).</summary>
    public double Between(ReadOnlySpan<float> intact, ReadOnlySpan<float> lesioned)
    {
        if (classes == 1)
        {
            double d = (double)lesioned[0] - intact[0];
            return variance > 0 ? d * d / variance : d * d;
        }
        // KL(p ‖ q) = Σ p (log p − log q), with log-probabilities from the logits (stable) or from the probabilities.
        double kl = 0;
        if (probabilities)
        {
            for (int c = 0; c < classes; c++)
                if (intact[c] > 0) kl += intact[c] * (Math.Log(intact[c]) - Math.Log(Math.Max(lesioned[c], 1e-30)));
            return Math.Max(0, kl);
        }
        double lp = LogSumExp(intact), lq = LogSumExp(lesioned);
        for (int c = 0; c < classes; c++)
        {
            double logP = intact[c] - lp;
            kl += Math.Exp(logP) * (logP - (lesioned[c] - lq));
        }
        return Math.Max(0, kl);
    }

    private static double LogSumExp(ReadOnlySpan<float> values)
    {
        double max = double.NegativeInfinity;
        foreach (float v in values) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in values) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }
}
