using System.Diagnostics;
using System.Text.Json;
using Analyzer.Kernels;
using Analyzer.Kernels.Spearman;
using Analyzer.Kernels.Visualisation;

// Compares every ILGPU kernel on one accelerator with the project's CPU kernel on the same random inputs and times
// both; one JSON line per kernel on stdout (bench/gpu-check.sh joins them with PyTorch's timings into a table).
//   Analyzer.GpuCheck [--cpu-accelerator]
// Without a CUDA device it says so and exits 2, unless --cpu-accelerator asks for ILGPU's CPU accelerator (which
// checks the script and the comparisons, not the GPU).
bool cpuAccelerator = args.Contains("--cpu-accelerator");
if (!cpuAccelerator && !IlgpuDevice.CudaAvailable())
{
    Console.Error.WriteLine("gpu-check: no CUDA device is visible to ILGPU (driver missing, or no GPU)");
    return 2;
}
var target = cpuAccelerator ? IlgpuTarget.Cpu : IlgpuTarget.Cuda;
// ILGPU's CPU accelerator runs every GPU thread in software: it gets small sizes (the same in torch_gpu_check.py).
if (cpuAccelerator)
{
    Report(Spearman(target, samples: 500, units: 512));
    Report(PixelAscent(target, pixels: 3 * 64 * 64, steps: 5));
    Report(Warp(target, new ImageBatchShape(2, 3, 64, 64)));
}
else
{
    Report(Spearman(target, samples: 5000, units: 4096));
    Report(PixelAscent(target, pixels: 64 * 3 * 224 * 224, steps: 20));
    Report(Warp(target, new ImageBatchShape(64, 3, 224, 224)));
}
return 0;

static void Report(Dictionary<string, object> row) => Console.WriteLine(JsonSerializer.Serialize(row));

static double Seconds(Action run, int repeats)
{
    run(); // first call: compilation, uploads
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < repeats; i++) run();
    return clock.Elapsed.TotalSeconds / repeats;
}

static double MaxError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
{
    double worst = 0;
    for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]) / Math.Max(1, Math.Abs(b[i])));
    return worst;
}

// Every tile of the upper triangle of units x units squared correlations, as an activation graph is built.
static Dictionary<string, object> Spearman(IlgpuTarget target, int samples, int units)
{
    var random = new Random(1);
    var values = new double[(long)units * samples];
    for (long i = 0; i < values.LongLength; i++) values[i] = Math.Round(random.NextDouble() * 100);
    var ranks = SpearmanRanks.InPlace(values, samples, units);
    const int tile = 256;
    using var gpu = new SpearmanIlgpuKernel(target);
    var cpu = new SpearmanCpuKernel();
    double[] All(ISpearmanKernel kernel)
    {
        var result = new double[(long)units * units];
        var buffer = new double[tile * tile];
        for (int i = 0; i < units; i += tile)
            for (int j = i; j < units; j += tile)
            {
                kernel.SquaredTile(ranks, i, tile, j, tile, buffer);
                for (int r = 0; r < tile; r++) Array.Copy(buffer, r * tile, result, (long)(i + r) * units + j, tile);
            }
        return result;
    }
    double[] expected = All(cpu), actual = All(gpu);
    double worst = 0;
    for (long i = 0; i < expected.LongLength; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
    return Row("spearman tiles", $"{units} units x {samples} samples, upper triangle", gpu.DeviceName, worst,
        Seconds(() => All(gpu), 2), Seconds(() => All(cpu), 1));
}

static Dictionary<string, object> PixelAscent(IlgpuTarget target, int pixels, int steps)
{
    var random = new Random(2);
    float[] Random(int n, float spread) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5) * spread).ToArray();
    var start = Random(pixels, 2);
    var gradient = Random(pixels, 0.1f);
    using var gpu = new PixelAscentIlgpuKernel(target);
    var cpu = new PixelAscentCpuKernel();
    float[] Run(IPixelAscentKernel kernel)
    {
        var p = (float[])start.Clone();
        var (m, v, x) = (new float[pixels], new float[pixels], new float[pixels]);
        for (int step = 1; step <= steps; step++) kernel.Step(p, m, v, gradient, x, step, new AdamSettings());
        return x;
    }
    double worst = MaxError(Run(gpu), Run(cpu));
    return Row("pixel ascent (Adam on sigmoid pixels)", $"{pixels} pixels, {steps} steps", "", worst,
        Seconds(() => Run(gpu), 2) / steps, Seconds(() => Run(cpu), 2) / steps);
}

static Dictionary<string, object> Warp(IlgpuTarget target, ImageBatchShape shape)
{
    var random = new Random(3);
    var source = Enumerable.Range(0, shape.Length).Select(_ => (float)random.NextDouble()).ToArray();
    var warps = Enumerable.Range(0, shape.Images)
        .Select(_ => AffineWarp.FromTransform(0.9 + 0.2 * random.NextDouble(), random.NextDouble() - 0.5, 3 * random.NextDouble(), -2 * random.NextDouble()))
        .ToArray();
    using var gpu = new ImageWarpIlgpuKernel(target);
    var cpu = new ImageWarpCpuKernel();
    float[] Run(IImageWarpKernel kernel)
    {
        var warped = new float[shape.Length];
        var back = new float[shape.Length];
        kernel.Warp(source, warped, shape, warps);
        kernel.WarpAdjoint(warped, back, shape, warps);
        return back;
    }
    double worst = MaxError(Run(gpu), Run(cpu));
    return Row("image warp and its adjoint", $"{shape.Images} x {shape.Channels} x {shape.Height} x {shape.Width}", "", worst,
        Seconds(() => Run(gpu), 5), Seconds(() => Run(cpu), 3));
}

static Dictionary<string, object> Row(string kernel, string size, string device, double maxError, double ilgpu, double cpu) => new()
{
    ["kernel"] = kernel, ["size"] = size, ["device"] = device, ["max_error"] = maxError,
    ["ilgpu_seconds"] = ilgpu, ["cpu_seconds"] = cpu,
};
