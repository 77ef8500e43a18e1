using System.Text.Json;

namespace SelectBench.Tests.Architecture;

/// <summary>
/// The default build stays on the CPU backend (docs/benchmark.md, "Building for CUDA"): <c>-p:TorchBackend=cuda</c> swaps
/// TorchSharp-cpu for TorchSharp-cuda-linux, and CI, which builds without it, must resolve exactly the CPU packages.
/// </summary>
public sealed class TorchBackendTests
{
    [Fact]
    public void The_default_build_resolves_TorchSharp_cpu_and_no_CUDA_package()
    {
        var deps = Path.Combine(AppContext.BaseDirectory, "SelectBench.Tests.deps.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(deps));
        var libraries = doc.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("TorchSharp-cpu/0.107.0", libraries);
        Assert.Contains(libraries, l => l.StartsWith("libtorch-cpu/", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => l.Contains("cuda", StringComparison.OrdinalIgnoreCase));
    }
}
