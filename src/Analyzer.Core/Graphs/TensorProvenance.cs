using Analyzer.Onnx.Shapes;

namespace Analyzer.Core.Graphs;

/// <summary>
/// The origin of every element of one tensor (for one example): a table of <see cref="ChannelOrigin"/>s and a map from
/// elements to table entries. Most tensors are stored per channel (axis 1; the map has one entry per channel and is
/// broadcast over the spatial axes); reshapes, transposes and the like work on the element-level map, which is
/// compressed back to per-channel when each channel turns out uniform. Tracing maps rather than names makes channel
/// shuffles, flattening, concatenation and token layouts come out right without special cases.
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

    /// <summary>A tensor whose values come from no unit (constants, attention, statistics).</summary>
    public static TensorProvenance None(long[] shape) =>
        new([ChannelOrigin.None], new int[shape.Length <= 2 ? TensorLayout.Count(shape) : shape[1]], true, shape);

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
        PerChannel && Shape.Length > 1 && shape.Length > 1 && shape[1] == Shape[1] && Map.Length == Shape[1]
            ? new TensorProvenance(Table, Map, true, shape)
            : FromElements(Table, ElementMap(), shape);

    /// <summary>The tensor broadcast (numpy rules) to <paramref name="shape"/>.</summary>
    public TensorProvenance BroadcastTo(long[] shape)
    {
        if (Shape.SequenceEqual(shape)) return this;
        if (PerChannel && Shape.Length == shape.Length && shape.Length > 1 && Shape[1] == shape[1] && Map.Length == Shape[1])
            return new TensorProvenance(Table, Map, true, shape);
        int[] elements = ElementMap();
        long[] index = TensorLayout.BroadcastIndex(Shape, shape);
        return FromElements(Table, index.Select(i => elements[i]).ToArray(), shape);
    }

    /// <summary>Elements picked by <paramref name="index"/> (flat source indices) into a tensor of <paramref name="shape"/>.</summary>
    public TensorProvenance Reindexed(long[] index, long[] shape)
    {
        int[] elements = ElementMap();
        return FromElements(Table, index.Select(i => elements[i]).ToArray(), shape);
    }

    /// <summary>Applies <paramref name="change"/> to every table entry (entries keep their sharing).</summary>
    public TensorProvenance MapOrigins(Func<ChannelOrigin, ChannelOrigin> change) =>
        new(Table.Select(change).ToArray(), Map, PerChannel, Shape);

    /// <summary>The channel index (axis 1) of every element of the element-level map.</summary>
    public int ChannelOfElement(int e) => Shape.Length <= 2 ? e % Channels : (int)(e / TensorLayout.Count(Shape.AsSpan(2)) % Channels);

    /// <summary>
    /// Element by element, <paramref name="combine"/> of <paramref name="a"/> and <paramref name="b"/> broadcast to
    /// <paramref name="shape"/> (each distinct pair of entries combined once).
    /// </summary>
    public static TensorProvenance Zip(TensorProvenance a, TensorProvenance b, long[] shape, Func<ChannelOrigin, ChannelOrigin, ChannelOrigin> combine)
    {
        a = a.BroadcastTo(shape);
        b = b.BroadcastTo(shape);
        var memo = new Dictionary<(int, int), int>();
        var table = new List<ChannelOrigin>();
        int Entry(int x, int y)
        {
            if (!memo.TryGetValue((x, y), out int idx))
            {
                idx = table.Count;
                table.Add(combine(a.Table[x], b.Table[y]));
                memo[(x, y)] = idx;
            }
            return idx;
        }
        if (a.PerChannel && b.PerChannel && a.Map.Length == b.Map.Length && shape.Length > 1 && a.Map.Length == shape[1])
        {
            int[] channels = a.Map.Select((x, c) => Entry(x, b.Map[c])).ToArray();
            return new TensorProvenance([.. table], channels, true, shape);
        }
        int[] ea = a.ElementMap(), eb = b.ElementMap();
        var map = new int[ea.Length];
        var seen = PairIndex(a.Table.Length, b.Table.Length);
        for (int e = 0; e < ea.Length; e++)
        {
            if (seen is null) { map[e] = Entry(ea[e], eb[e]); continue; }
            long pair = (long)ea[e] * b.Table.Length + eb[e];
            map[e] = seen[pair] >= 0 ? seen[pair] : seen[pair] = Entry(ea[e], eb[e]);
        }
        return FromElements([.. table], map, shape);
    }

    /// <summary>Element by element, <paramref name="change"/> of each entry with the constant value broadcast onto it.</summary>
    public static TensorProvenance WithValues(TensorProvenance p, long[] valueShape, double[] values, long[] shape,
        Func<ChannelOrigin, double, ChannelOrigin> change)
    {
        p = p.BroadcastTo(shape);
        var memo = new Dictionary<(int, double), int>();
        var table = new List<ChannelOrigin>();
        int Entry(int x, double v)
        {
            if (!memo.TryGetValue((x, v), out int idx))
            {
                idx = table.Count;
                table.Add(change(p.Table[x], v));
                memo[(x, v)] = idx;
            }
            return idx;
        }
        // A per-channel tensor scaled by a per-channel (or scalar) constant stays per channel.
        if (p.PerChannel && shape.Length > 1 && p.Map.Length == shape[1] && PerChannelValues(valueShape, values, shape) is { } perChannel)
        {
            int[] channels = p.Map.Select((x, c) => Entry(x, perChannel[c])).ToArray();
            return new TensorProvenance([.. table], channels, true, shape);
        }
        int[] elements = p.ElementMap();
        long[] index = TensorLayout.BroadcastIndex(valueShape, shape);
        var map = new int[elements.Length];
        var seen = PairIndex(p.Table.Length, values.Length);
        for (int e = 0; e < elements.Length; e++)
        {
            if (seen is null) { map[e] = Entry(elements[e], values[index[e]]); continue; }
            long pair = (long)elements[e] * values.Length + index[e];
            map[e] = seen[pair] >= 0 ? seen[pair] : seen[pair] = Entry(elements[e], values[index[e]]);
        }
        return FromElements([.. table], map, shape);
    }

    /// <summary>The entry already made for each pair of indices (-1: none yet), where the pairs are few enough to
    /// index densely: most elements repeat a pair, and looking a pair up this way is far cheaper than hashing it
    /// (ConvNeXt-T's layer scales and residual sums pass hundreds of thousands of elements each). Null otherwise.</summary>
    private static int[]? PairIndex(int first, int second)
    {
        if ((long)first * second > 1 << 22) return null;
        var seen = new int[first * second];
        Array.Fill(seen, -1);
        return seen;
    }


    /// <summary>The value per channel (axis 1) when a constant of <paramref name="valueShape"/> varies only along the
    /// channel axis of <paramref name="shape"/>; null otherwise.</summary>
    private static double[]? PerChannelValues(long[] valueShape, double[] values, long[] shape)
    {
        int channels = (int)shape[1];
        if (values.Length == 1) return Enumerable.Repeat(values[0], channels).ToArray();
        int offset = shape.Length - valueShape.Length;
        for (int i = 0; i < valueShape.Length; i++)
            if (valueShape[i] != 1 && i + offset != 1) return null;
        int axis = 1 - offset;
        if (axis < 0 || axis >= valueShape.Length || valueShape[axis] != channels) return null;
        return values;
    }
}
