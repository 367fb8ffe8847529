using Analyzer.Core.Memory;
using Analyzer.Core.Networks;
using Analyzer.Core.Subclusters;
using Analyzer.Core.Activations;
using Analyzer.Core.Datasets;
using Analyzer.Core.Statistics;
using Analyzer.Core.Visualisation;
using Analyzer.Onnx.Inference;

namespace Analyzer.Core.Measures;

/// <summary>
/// The correlation-based measure of docs/method.md §8: for the subclusters of the first analysed node set (the layer
/// that reads the input), the lateralisation of their sign-aligned Spearman correlation images over the test examples,
/// ranked against their controls' (higher is specialised). Subclusters of later layers are skipped: their units see the
/// input only through other units.
/// </summary>
public static class CorrelationAnalysis
{
    /// <summary>The correlation images of the first analysed node set's units over the test examples; computed once per
    /// run and shared by every partitioning.</summary>
    public static (CorrelationImages Images, NodeSetInfo Layer) Images(ModelNetwork network, ImageDataset data, Preprocessing preprocessing,
        ExecutionDevice device, Action<string>? note = null, MemoryBudget? memoryBudget = null)
    {
        var point = PreActivationPoints.Find(network).Where(p => p.NodeSet.Analysed).MinBy(p => p.NodeSet.Offset)
            ?? throw new InvalidOperationException($"{network.Path}: no analysed node set");
        var fitted = network.Fit(data, note);
        var examples = Enumerable.Range(0, fitted.Count).ToArray();
        var units = ActivationCapture.Capture(network, fitted, examples, [point], preprocessing, device, memoryBudget, note);
        var pixels = new float[(long)fitted.Count * fitted.ExampleSize];
        for (int start = 0; start < fitted.Count; start += 256)
        {
            int count = Math.Min(256, fitted.Count - start);
            fitted.FillBatch(start, count, pixels.AsSpan(start * fitted.ExampleSize, count * fitted.ExampleSize), preprocessing);
        }
        var images = new CorrelationImages(pixels, fitted.ExampleSize, units.Select(v => (float)v).ToArray(), point.NodeSet.Units, fitted.Count);
        return (images, new NodeSetInfo(point.NodeSet.Index, fitted.Channels, fitted.Height, fitted.Width));
    }

    /// <summary>The node set the images belong to and the input's shape (channels are summed side by side).</summary>
    public sealed record NodeSetInfo(int NodeSet, int Channels, int Height, int Width);

    /// <summary>The lateralisation report and, per analysed subcluster, its summed |aligned image| then its controls'
    /// ([height x width] each, for pictures).</summary>
    public static (IReadOnlyDictionary<string, MeasureReport> Reports, IReadOnlyList<(Subcluster Subcluster, IReadOnlyList<double[]> Images)> Images)
        Run(SampledSubclusters sample, (CorrelationImages Images, NodeSetInfo Layer) correlations, int seed, PercentileTies ties = PercentileTies.MidRank)
    {
        var (sampled, skipped, partitioningKey) = (sample.Analysed, sample.Skipped.ToList(), sample.PartitioningKey);
        var (correlation, layer) = correlations;
        var analysed = sampled.Where(s => s.Subcluster.NodeSet == layer.NodeSet).ToList();
        skipped.AddRange(sampled.Where(s => s.Subcluster.NodeSet != layer.NodeSet).Select(s => new SkippedSubcluster(s.Subcluster.Layer,
            s.Subcluster.Cluster, s.Subcluster.Units.Length, "lateralisation is measured on the first layer's subclusters only")));
        double[] Image(int[] units, int j, Subcluster sub)
        {
            var mean = correlation.Aligned(units, StableSeed.Of(seed, $"{partitioningKey}/correlation/{j}", sub.NodeSet, sub.Cluster));
            // One channel: the signed image. Colour: the channels' |images| summed pixel by pixel.
            int plane = layer.Height * layer.Width;
            var summed = new double[plane];
            for (int c = 0; c < layer.Channels; c++)
                for (int p = 0; p < plane; p++) summed[p] += layer.Channels == 1 ? mean[p] : Math.Abs(mean[c * plane + p]);
            return summed;
        }
        double Lateral(double[] image) => CorrelationImages.Lateralisation(image, layer.Height, layer.Width);
        var images = analysed.Select(s => (s.Subcluster, Images: (IReadOnlyList<double[]>)new[] { s.Subcluster.Units }.Concat(s.Controls)
            .Select((units, j) => Image(units, j, s.Subcluster)).ToList())).ToList();
        var values = images.Select(s => (Lateral(s.Images[0]), s.Images.Skip(1).Select(Lateral).ToArray())).ToList();
        var summary = MeasureSummary.Compute(values, Measure.Lateralisation.Orientation, ties);
        return (new Dictionary<string, MeasureReport> { [Measure.Lateralisation.Name] = MeasureReport.Of(summary, analysed, skipped) }, images);
    }
}
