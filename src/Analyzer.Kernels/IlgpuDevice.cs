using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Analyzer.Kernels;

/// <summary>Which ILGPU accelerator runs a kernel: a CUDA GPU, or ILGPU's CPU accelerator (tests, machines without a
/// GPU).</summary>
public enum IlgpuTarget
{
    Cuda,
    Cpu,
}

/// <summary>An ILGPU context with one accelerator, the shared start of every ILGPU kernel.</summary>
public sealed class IlgpuDevice : IDisposable
{
    private readonly Context context;

    public IlgpuDevice(IlgpuTarget target)
    {
        context = Context.Create(builder => builder.Default());
        try
        {
            Accelerator = target == IlgpuTarget.Cuda
                ? context.GetCudaDevice(0).CreateAccelerator(context)
                : context.GetCPUDevice(0).CreateAccelerator(context);
        }
        catch (Exception)
        {
            context.Dispose();
            throw;
        }
    }

    public Accelerator Accelerator { get; }

    /// <summary>The device's name, e.g. "NVIDIA H100 80GB HBM3" or "CPUAccelerator".</summary>
    public string Name => Accelerator.Name;

    /// <summary>True when a CUDA device is visible to ILGPU (probed once per process).</summary>
    public static bool CudaAvailable() => cudaVisible.Value;

    private static readonly Lazy<bool> cudaVisible = new(ProbeCuda);

    private static bool ProbeCuda()
    {
        try
        {
            using var probe = Context.Create(builder => builder.Cuda());
            return probe.GetCudaDevices().Count > 0;
        }
        catch (Exception)
        {
            return false;
        }
    }

    public void Dispose()
    {
        Accelerator.Dispose();
        context.Dispose();
    }
}
