using Analyzer.Onnx.Inference;
using Analyzer.Onnx.Rewriting;

namespace Analyzer.Core.Lesions;

/// <summary>What the low-rank lesion paths share: the model cut after the reader, its sessions, and the chunk loop
/// that runs the prefix once and hands each chunk's reader input x and unlesioned output y0 to the path.</summary>
public sealed partial class LesionEngine
{
    /// <summary>The prefix (up to and including the reader), the low-rank suffix and the suffix's inputs.</summary>
    private sealed record LowRankStage(OnnxSession Prefix, OnnxSession Suffix, ModelCut Cut, IReadOnlyList<string> SuffixInputs);

    /// <summary>One chunk of examples as the low-rank paths see it.</summary>
    private sealed record LowRankChunk(int Start, int Count, (float[] Data, long[] Shape) X, (float[] Data, long[] Shape) Y0,
        List<TensorInput> Others, List<string> Masks);

    private readonly Dictionary<(int NodeSet, int Variant), LowRankStage> lowRankStages = new();

    /// <summary>The cached stage of a node set's reader, built once per variant of its suffix (thread-safe).</summary>
    private LowRankStage Stage(int nodeSet, int readerNodeIndex, string readerInput, string readerOutput, Func<RewrittenModel> suffix,
        int variant = 0)
    {
        lock (sessions)
        {
            if (!lowRankStages.TryGetValue((nodeSet, variant), out var stage))
            {
                var cut = rewriter.CutBefore(readerNodeIndex + 1, [readerInput, readerOutput]);
                var model = suffix();
                MakeRoom(nodeSet, cut.Prefix.Bytes.LongLength + model.Bytes.LongLength);
                stage = new LowRankStage(
                    OnnxSession.Create(cut.Prefix.Bytes, network.Path, options.Device, SessionThreads, options.Note),
                    OnnxSession.Create(model.Bytes, network.Path, options.Device, SessionThreads, options.Note),
                    cut.WithoutModels(), model.Inputs);
                lowRankStages[(nodeSet, variant)] = stage;
                Remember(nodeSet, cut.Prefix.Bytes.LongLength + model.Bytes.LongLength, () =>
                {
                    lowRankStages.Remove((nodeSet, variant));
                    stage.Prefix.Dispose();
                    stage.Suffix.Dispose();
                });
            }
            Touch(nodeSet);
            return stage;
        }
    }

    /// <summary>Examples per chunk of the low-rank paths: at most <see cref="LesionOptions.ChunkSize"/>, and few enough
    /// that a chunk's input, reader input and reader output stay within the memory budget (ImageNet-size activations).</summary>
    private int LowRankChunkSize(string readerInput, string readerOutput) =>
        ChunkSize(ElementsPerExample(readerInput) + ElementsPerExample(readerOutput));

    /// <summary>
    /// Examples per chunk: at most <see cref="LesionOptions.ChunkSize"/>, and few enough that a chunk's input, the
    /// <paramref name="heldFloats"/> per example the path keeps, and two of the model's largest activations (what
    /// ONNX Runtime holds while a layer runs) fit in the memory budget.
    /// </summary>
    private int ChunkSize(long heldFloats)
    {
        long floatsPerExample = data.ExampleSize + heldFloats + 2 * largestActivation.Value;
        long byBudget = StreamBudget / Math.Max(1, floatsPerExample * sizeof(float));
        return (int)Math.Clamp(byBudget, 1, Math.Max(1, Math.Min(options.ChunkSize, data.Count)));
    }

    /// <summary>Values of one example of the model's largest non-constant tensor.</summary>
    private readonly Lazy<long> largestActivation;

    private long LargestActivation() => network.Activations().Select(ElementsPerExample).DefaultIfEmpty(1).Max();

    private long ElementsPerExample(string tensor) => network.ValuesPerExample(tensor);

    /// <summary>Runs the prefix on every chunk of the data and calls <paramref name="body"/> with what it produced.</summary>
    private void ForEachChunk(LowRankStage stage, string readerInput, string readerOutput, Action<LowRankChunk> body)
    {
        int exampleSize = data.ExampleSize;
        int chunk = LowRankChunkSize(readerInput, readerOutput);
        var batch = new float[chunk * exampleSize];
        var masks = stage.SuffixInputs.Where(n => rewriter.Masks.Contains(n)).ToList();
        for (int start = 0; start < data.Count; start += chunk)
        {
            int count = Math.Min(chunk, data.Count - start);
            data.FillBatch(start, count, batch, options.Preprocessing);
            var input = new TensorInput(rewriter.DataInput, batch[..(count * exampleSize)], [count, .. network.Shapes.ShapeOf(rewriter.DataInput).Skip(1)]);
            var prefixOut = RunPrefix(stage.Prefix, stage.Cut, input, count, stage.Cut.Prefix.Outputs);
            var byName = stage.Cut.Prefix.Outputs.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => prefixOut[p.i]);
            var others = stage.SuffixInputs.Where(n => byName.ContainsKey(n) && n != readerOutput)
                .Select(n => new TensorInput(n, byName[n].Data, byName[n].Shape)).ToList();
            if (stage.SuffixInputs.Contains(rewriter.DataInput)) others.Add(input);
            body(new LowRankChunk(start, count, byName[readerInput], byName[readerOutput], others, masks));
        }
    }

    /// <summary>Adds the tiled frontier tensors and all-ones masks to a run's inputs, runs the low-rank suffix and
    /// counts correct answers for the first <paramref name="scored"/> of its <paramref name="lesions"/> lesions (sets
    /// first, first + 1, ...; the rest are padding).</summary>
    private void RunLowRank(LowRankStage stage, LowRankChunk chunk, List<TensorInput> inputs, int lesions, int scored,
        Tally[] tallies, int first)
    {
        inputs.AddRange(chunk.Others.Select(t => Tile(t, lesions, chunk.Count)));
        inputs.AddRange(chunk.Masks.Select(name => Ones(name, lesions * chunk.Count)));
        Score(stage.Suffix.Run(inputs, [rewriter.Output])[0].Data, scored, chunk.Count, chunk.Start, tallies, first);
    }
}
