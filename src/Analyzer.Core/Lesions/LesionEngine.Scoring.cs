using Analyzer.Core.Errors;

namespace Analyzer.Core.Lesions;

/// <summary>How the lesioned model's outputs are scored: correct predictions per class at every position of the output
/// (<see cref="OutputLayout"/>) against the labels in use, and the change of its outputs from the intact model's
/// (docs/method.md §6, output-change).</summary>
public sealed partial class LesionEngine
{
    /// <summary>What the rows of one lesion add up to: correct predictions per class and the summed output change.</summary>
    private sealed class Tally(int classes)
    {
        public readonly long[] Correct = new long[classes];
        public double Change;
    }

    /// <summary>The label of every scored position, example by example ([examples x positions]); -1 where a position
    /// is not scored.</summary>
    private int[]? targets;

    /// <summary>The intact model's prediction at every position of every example, recorded by the first intact run.</summary>
    private int[]? predictions;

    /// <summary>The intact model's outputs [examples x output values], recorded by the first intact run when output change is
    /// measured (<see cref="LesionOptions.OutputChange"/>).</summary>
    private float[]? intact;

    private OutputDivergence? divergence;

    /// <summary>Where the model's outputs hold its predictions.</summary>
    public OutputLayout Layout => layout;

    /// <summary>The intact model's prediction at every position of every example ([examples x positions], the arg-max
    /// of its class scores), from one run of it.</summary>
    public int[] Predictions()
    {
        if (predictions is null) Baseline();
        return predictions!;
    }

    /// <summary>Scores later lesions against <paramref name="labels"/> ([examples x positions], in the model's classes, -1
    /// for a position not scored) instead of the data's: the intact model's own predictions for `--labels model`
    /// (docs/method.md §6, label sources).</summary>
    public void UseLabels(int[] labels)
    {
        if (labels.Length != (long)data.Count * layout.Positions)
            throw new ArgumentException($"{labels.Length} labels for {data.Count} examples of {layout.Positions} positions", nameof(labels));
        int bad = Array.FindIndex(labels, l => l < -1 || l >= classes);
        if (bad >= 0)
            throw new DataFormatException($"{data.Source}: label {labels[bad]} of example {bad / layout.Positions} is outside the model's {classes} classes ({network.Path})");
        targets = labels;
    }

    /// <summary>Scores later lesions against <paramref name="source"/>: for <see cref="LabelSource.Model"/> the intact model's
    /// predictions replace the data's labels, and the baseline accuracy becomes 1; for <see cref="LabelSource.NextToken"/>
    /// each position's next input token does.</summary>
    public void ScoreAgainst(LabelSource source)
    {
        if (source == LabelSource.Model) UseLabels(Predictions());
        else if (source == LabelSource.NextToken) UseLabels(NextTokens());
    }

    /// <summary>
    /// Labels for a causal language model (docs/method.md §6, label sources): position t is labelled with input token
    /// t + 1; the last position, and a position whose next token the attention mask (an input named attention_mask)
    /// marks as padding, are not scored. The tokens are those of the model's first integer input.
    /// </summary>
    private int[] NextTokens()
    {
        var inputs = network.File.PackedInputs;
        var ids = inputs?.FirstOrDefault(i => i.ElementType is Onnx.Model.TensorElementType.Int64 or Onnx.Model.TensorElementType.Int32)
            ?? throw new DataFormatException($"{network.Path}: next-token labels need token ids, an integer input; the model has none");
        int steps = (int)ids.Size;
        if (ids.Dims.Length != 1 || steps != layout.Positions)
            throw new DataFormatException($"{network.Path}: next-token labels need one prediction per token; input '{ids.Name}' holds " +
                $"[N, {string.Join(", ", ids.Dims)}] tokens and the output {layout.Positions} positions");
        var mask = inputs!.FirstOrDefault(i => i.Name == "attention_mask" && i.Size == steps);
        long row = inputs!.Sum(i => i.Size);
        var values = new float[row];
        var labels = new int[data.Count * steps];
        for (int e = 0; e < data.Count; e++)
        {
            data.FillBatch(e, 1, values, options.Preprocessing);
            for (int t = 0; t < steps; t++)
            {
                bool scored = t + 1 < steps && (mask is null || values[mask.Offset + t + 1] != 0);
                labels[e * steps + t] = scored ? (int)values[ids.Offset + t + 1] : -1;
            }
        }
        return labels;
    }

    /// <summary>The data's labels as targets: one per example for a model with one position. A model that predicts at
    /// several positions needs labels per position, which image data do not carry.</summary>
    private int[] DataTargets()
    {
        if (data.PositionLabels is { } perPosition)
        {
            if (perPosition.LongLength != (long)data.Count * layout.Positions)
                throw new DataFormatException($"{data.Source}: {perPosition.Length / Math.Max(1, data.Count)} labels per example, but {network.Path} " +
                    $"predicts at {layout.Positions} positions per example");
            return perPosition;
        }
        if (layout.Positions == 1) return data.Labels;
        // Unlabelled data: placeholders, like the data's own, until the model's predictions replace them.
        if (!data.HasLabels) return new int[(long)data.Count * layout.Positions];
        throw new DataFormatException($"{data.Source}: one label per example, but {network.Path} predicts at {layout.Positions} positions " +
            "per example; score against the model's own predictions (--labels model)");
    }

    /// <summary>Scores the rows of a run: row j·count + e of the outputs is example start + e under set first + j. An intact
    /// run (<paramref name="capture"/>) also records the predictions and, when measured, the outputs.</summary>
    private void Score(float[] outputs, int m, int count, int start, Tally[] tallies, int first, bool capture = false)
    {
        int values = layout.Values, positions = layout.Positions;
        if (capture)
        {
            lock (tallies)
            {
                predictions ??= new int[(long)data.Count * positions];
                if (options.OutputChange) intact ??= new float[(long)data.Count * values];
                for (int e = 0; e < count; e++)
                {
                    var row = outputs.AsSpan(e * values, values);
                    for (int p = 0; p < positions; p++) predictions[(start + e) * positions + p] = layout.Predict(row, p, threshold);
                    if (intact is not null) row.CopyTo(intact.AsSpan((int)((long)(start + e) * values), values));
                }
                if (intact is not null && start + count == data.Count)
                    divergence = OutputDivergence.For(network, layout, intact, data.Count);
            }
        }
        var labels = targets ??= DataTargets();
        for (int j = 0; j < m; j++)
        {
            var tally = tallies[first + j];
            for (int e = 0; e < count; e++)
            {
                var row = outputs.AsSpan((j * count + e) * values, values);
                for (int p = 0; p < positions; p++)
                {
                    int label = labels[(start + e) * positions + p];
                    if (label >= 0 && layout.Predict(row, p, threshold) == label) tally.Correct[label]++;
                }
            }
            if (divergence is not null)
                tally.Change = divergence.Add(tally.Change, intact!, start, count, outputs.AsSpan(j * count * values, count * values));
        }
    }
}
