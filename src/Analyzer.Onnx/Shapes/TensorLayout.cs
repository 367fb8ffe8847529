namespace Analyzer.Onnx.Shapes;

/// <summary>Index arithmetic on row-major tensors: element counts, transposes and broadcasting.</summary>
public static class TensorLayout
{
    public static long Count(ReadOnlySpan<long> shape)
    {
        long n = 1;
        foreach (long d in shape) n *= d;
        return n;
    }

    public static long[] Strides(ReadOnlySpan<long> shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    /// <summary>Permutes the axes of a row-major tensor: output axis i is input axis perm[i].</summary>
    public static T[] Transpose<T>(T[] data, long[] shape, int[] perm)
    {
        int rank = shape.Length;
        long[] inStrides = Strides(shape);
        long[] outShape = perm.Select(p => shape[p]).ToArray();
        var result = new T[data.Length];
        var index = new long[rank];
        for (long o = 0; o < result.Length; o++)
        {
            long src = 0;
            for (int i = 0; i < rank; i++) src += index[i] * inStrides[perm[i]];
            result[o] = data[src];
            for (int i = rank - 1; i >= 0; i--)
            {
                if (++index[i] < outShape[i]) break;
                index[i] = 0;
            }
        }
        return result;
    }

    /// <summary>The numpy broadcast of two shapes, or null when they are incompatible.</summary>
    public static long[]? Broadcast(long[] a, long[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            long db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1) return null;
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>For each element of <paramref name="target"/>, the flat index of the element of a tensor of shape
    /// <paramref name="source"/> that broadcasts onto it.</summary>
    public static long[] BroadcastIndex(long[] source, long[] target)
    {
        int offset = target.Length - source.Length;
        long[] srcStrides = Strides(source);
        var result = new long[Count(target)];
        var index = new long[target.Length];
        for (long o = 0; o < result.Length; o++)
        {
            long src = 0;
            for (int i = 0; i < source.Length; i++)
                if (source[i] != 1) src += index[i + offset] * srcStrides[i];
            result[o] = src;
            for (int i = target.Length - 1; i >= 0; i--)
            {
                if (++index[i] < target[i]) break;
                index[i] = 0;
            }
        }
        return result;
    }

    /// <summary>For each element of a slice of shape <paramref name="outShape"/>, the flat index of its source element in
    /// a tensor of shape <paramref name="shape"/>; the slice starts at <paramref name="begin"/> and steps by
    /// <paramref name="step"/> along each axis.</summary>
    public static long[] SliceIndex(long[] shape, long[] begin, long[] step, long[] outShape)
    {
        long[] strides = Strides(shape);
        var map = new long[Count(outShape)];
        var index = new long[outShape.Length];
        for (long o = 0; o < map.Length; o++)
        {
            long src = 0;
            for (int i = 0; i < outShape.Length; i++) src += (begin[i] + index[i] * step[i]) * strides[i];
            map[o] = src;
            for (int i = outShape.Length - 1; i >= 0; i--)
            {
                if (++index[i] < outShape[i]) break;
                index[i] = 0;
            }
        }
        return map;
    }

    /// <summary>Normalises a possibly negative axis for a tensor of the given rank.</summary>
    public static int Axis(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);
}
