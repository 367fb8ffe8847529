using System.Numerics;
using System.Runtime.CompilerServices;

namespace Analyzer.Core.Clustering;

/// <summary>
/// How far each centre has moved since an earlier point of Hartigan's moves, so that a point's bounds widen by the
/// drift of its own centre and of the fastest other centre since it was measured, not by every move's larger shift
/// (a pass moves a few centres many times and leaves most still). Row m holds each centre's accumulated drift after
/// m moves; the rows stop at a memory cap, after which callers fall back to the total over all centres.
/// </summary>
internal sealed class CentreDriftLog
{
    /// <summary>Relative widening of every recorded shift, far above the rounding of the distances it bounds.</summary>
    public const double Margin = 1e-9;

    /// <summary>The rows' memory cap unless told otherwise.</summary>
    public const long DefaultMaxBytes = 32L << 20;

    private readonly int _k;
    private readonly int _maxRows;
    private readonly double[] _total;
    private double[] _rows;
    private int _rowCount = 1;
    private double _largestTotal;

    public CentreDriftLog(int k, long maxBytes = DefaultMaxBytes)
    {
        _k = k;
        _maxRows = (int)Math.Clamp(maxBytes / (8L * k), 1, int.MaxValue / k);
        _total = new double[k];
        _rows = new double[Math.Min(_maxRows, 1024) * k]; // row 0: nothing has moved
    }

    /// <summary>The number of moves recorded.</summary>
    public int Moves { get; private set; }

    /// <summary>Records a move that shifted centre a by |shiftA| and centre b by |shiftB| (squared lengths).</summary>
    public void Record(int a, double squaredShiftA, int b, double squaredShiftB)
    {
        _total[a] += Math.Sqrt(squaredShiftA) * (1 + Margin);
        _total[b] += Math.Sqrt(squaredShiftB) * (1 + Margin);
        _largestTotal = Math.Max(_largestTotal, Math.Max(_total[a], _total[b]));
        Moves++;
        if (_rowCount >= _maxRows) return;
        if ((_rowCount + 1) * _k > _rows.Length) Array.Resize(ref _rows, Math.Min(_maxRows, 2 * _rowCount) * _k);
        Array.Copy(_total, 0, _rows, _rowCount * _k, _k);
        _rowCount++;
    }

    /// <summary>
    /// Upper bounds on how far centre <paramref name="own"/> and any centre have moved since <paramref name="move"/>
    /// moves had been made; false when that row is past the cap. The accumulated sums' rounding (at most one half ulp of
    /// the total per move) is added on top.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TrySince(int move, int own, out double ownDrift, out double anyDrift)
    {
        if (move >= _rowCount)
        {
            ownDrift = anyDrift = 0;
            return false;
        }
        var then = _rows.AsSpan(move * _k, _k);
        var now = _total.AsSpan();
        int width = Vector<double>.Count, c = 0;
        var largest = Vector<double>.Zero;
        for (; c + width <= _k; c += width)
            largest = Vector.Max(largest, Vector.Create<double>(now.Slice(c, width)) - Vector.Create<double>(then.Slice(c, width)));
        double any = 0;
        for (int lane = 0; lane < width; lane++) any = Math.Max(any, largest[lane]);
        for (; c < _k; c++) any = Math.Max(any, now[c] - then[c]);
        double rounding = 2.3e-16 * (Moves - move + 2);
        ownDrift = (now[own] - then[own]) * (1 + Margin) + now[own] * rounding;
        anyDrift = any * (1 + Margin) + _largestTotal * rounding;
        return true;
    }
}
