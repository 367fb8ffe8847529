using Analyzer.Onnx.Shapes;

namespace Analyzer.Core.Graphs;

/// <summary>
/// The origin of every element of one tensor (for one example): a table of <see cref="ChannelOrigin"/>s and a map from
/// elements to table entries. Most tensors are stored per channel (axis 1; the map has one entry per channel and is
/// broadcast over the spatial axes); reshapes and transposes work on the element-level map, which is compressed back
/// to per-channel when each channel turns out uniform. Tracing maps rather than names makes channel shuffles,
/// flattening and concatenation come out right without special cases.
/// </summary>
internal sealed class TensorProvenance
{
    public TensorProvenance(ChannelOrigin[] table, int[] map, bool perChannel, long[] shape)
    {
        Table = table;
        Map = map;
        PerChannel = perChannel;
        Shape = shape;
    }

    public ChannelOrigin[] Table { get; }
    public int[] Map { get; }
    public bool PerChannel { get; }
    /// <summary>Full shape, batch dimension (1) included.</summary>
    public long[] Shape { get; }

    public int Channels => Shape.Length > 1 ? (int)Shape[1] : (int)Shape[0];

    /// <summary>A fresh tensor whose channel c is exactly <paramref name="origins"/>[c].</summary>
    public static TensorProvenance PerChannelOf(ChannelOrigin[] origins, long[] shape) =>
        new(origins, Enumerable.Range(0, origins.Length).ToArray(), true, shape);

    /// <summary>A model input: every element its own origin.</summary>
    public static TensorProvenance ModelInput(long[] shape)
    {
        int n = (int)TensorLayout.Count(shape);
        var table = new ChannelOrigin[n];
        for (int e = 0; e < n; e++) table[e] = new ChannelOrigin([new OriginTerm(-1, e, 1.0, false)], 1.0);
        return new TensorProvenance(table, Enumerable.Range(0, n).ToArray(), shape.Length <= 2, shape);
    }

    /// <summary>The element-level map over the whole tensor (row-major).</summary>
    public int[] ElementMap()
    {
        if (!PerChannel || Shape.Length <= 2) return Map;
        long inner = TensorLayout.Count(Shape.AsSpan(2));
        var map = new int[TensorLayout.Count(Shape)];
        for (int e = 0; e < map.Length; e++) map[e] = Map[(int)(e / inner % Map.Length)];
        return map;
    }

    /// <summary>Same elements, new shape: compressed to per-channel where every channel is uniform.</summary>
    public static TensorProvenance FromElements(ChannelOrigin[] table, int[] elementMap, long[] shape)
    {
        if (shape.Length <= 2)
            return new TensorProvenance(table, elementMap, true, shape);
        int channels = (int)shape[1];
        long inner = TensorLayout.Count(shape.AsSpan(2));
        if (shape[0] == 1 && inner > 0)
        {
            var perChannel = new int[channels];
            bool uniform = true;
            for (int c = 0; c < channels && uniform; c++)
            {
                int first = elementMap[c * inner];
                for (long j = 1; j < inner && uniform; j++) uniform = elementMap[c * inner + j] == first;
                perChannel[c] = first;
            }
            if (uniform) return new TensorProvenance(table, perChannel, true, shape);
        }
        return new TensorProvenance(table, elementMap, false, shape);
    }

    public TensorProvenance WithShape(long[] shape) =>
        PerChannel && Shape.Length > 1 && shape.Length > 1 && shape[1] == Shape[1]
            ? new TensorProvenance(Table, Map, true, shape)
            : FromElements(Table, ElementMap(), shape);

    /// <summary>Applies <paramref name="change"/> to every table entry (entries keep their sharing).</summary>
    public TensorProvenance MapOrigins(Func<ChannelOrigin, ChannelOrigin> change) =>
        new(Table.Select(change).ToArray(), Map, PerChannel, Shape);

    /// <summary>The channel index (axis 1) of every element of the element-level map.</summary>
    public int ChannelOfElement(int e) => Shape.Length <= 2 ? e % Channels : (int)(e / TensorLayout.Count(Shape.AsSpan(2)) % Channels);
}
