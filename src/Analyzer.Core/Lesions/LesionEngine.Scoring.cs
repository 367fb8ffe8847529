using Analyzer.Core.Errors;

namespace Analyzer.Core.Lesions;

/// <summary>How the lesioned model's outputs are scored: correct predictions per class against the labels in use, and
/// the change of its outputs from the intact model's (docs/method.md §6, output-change).</summary>
public sealed partial class LesionEngine
{
    /// <summary>What the rows of one lesion add up to: correct predictions per class and the summed output change.</summary>
    private sealed class Tally(int classes)
    {
        public readonly long[] Correct = new long[classes];
        public double Change;
    }

    /// <summary>The intact model's prediction per example, recorded by the first intact run.</summary>
    private int[]? predictions;

    /// <summary>The intact model's outputs [examples x output values], recorded by the first intact run when output change is
    /// measured (<see cref="LesionOptions.OutputChange"/>).</summary>
    private float[]? intact;

    private OutputDivergence? divergence;

    /// <summary>The intact model's prediction for every example (the arg-max of its outputs), from one run of it.</summary>
    public int[] Predictions()
    {
        if (predictions is null) Baseline();
        return predictions!;
    }

    /// <summary>Scores later lesions against <paramref name="labels"/> (one per example, in the model's classes) instead of
    /// the data's: the intact model's own predictions for `--labels model` (docs/method.md §6, label sources).</summary>
    public void UseLabels(int[] labels)
    {
        if (labels.Length != data.Count)
            throw new ArgumentException($"{labels.Length} labels for {data.Count} examples", nameof(labels));
        int bad = Array.FindIndex(labels, l => l < 0 || l >= classes);
        if (bad >= 0)
            throw new DataFormatException($"{data.Source}: label {labels[bad]} of example {bad} is outside the model's {classes} classes ({network.Path})");
        data = data.WithLabels(labels, classes);
    }

    /// <summary>Scores later lesions against <paramref name="source"/>: for <see cref="LabelSource.Model"/> the intact model's
    /// predictions replace the data's labels, and the baseline accuracy becomes 1.</summary>
    public void ScoreAgainst(LabelSource source)
    {
        if (source == LabelSource.Model) UseLabels(Predictions());
    }

    /// <summary>Scores the rows of a run: row j·count + e of the outputs is example start + e under set first + j. An intact
    /// run (<paramref name="capture"/>) also records the predictions and, when measured, the outputs.</summary>
    private void Score(float[] outputs, int m, int count, int start, Tally[] tallies, int first, bool capture = false)
    {
        if (capture)
        {
            lock (tallies)
            {
                predictions ??= new int[data.Count];
                if (options.OutputChange) intact ??= new float[(long)data.Count * outputValues];
                for (int e = 0; e < count; e++)
                {
                    var row = outputs.AsSpan(e * outputValues, outputValues);
                    predictions[start + e] = Predicted(row);
                    if (intact is not null) row.CopyTo(intact.AsSpan((int)((long)(start + e) * outputValues), outputValues));
                }
                if (intact is not null && start + count == data.Count)
                    divergence = OutputDivergence.For(network, intact, data.Count, outputValues);
            }
        }
        for (int j = 0; j < m; j++)
        {
            var tally = tallies[first + j];
            for (int e = 0; e < count; e++)
            {
                var row = outputs.AsSpan((j * count + e) * outputValues, outputValues);
                int label = data.Labels[start + e];
                if (Predicted(row) == label) tally.Correct[label]++;
                if (divergence is not null)
                    tally.Change += divergence.Between(intact.AsSpan((int)((long)(start + e) * outputValues), outputValues), row);
            }
        }
    }

    /// <summary>The class an example's outputs predict: the arg-max, or for a single output whether it exceeds the
    /// threshold (0.5 for a probability, 0 for a logit).</summary>
    private int Predicted(ReadOnlySpan<float> outputs) => outputs.Length == 1 ? (outputs[0] > threshold ? 1 : 0) : ArgMax(outputs);

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
