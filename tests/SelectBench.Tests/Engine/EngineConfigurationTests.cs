using System.Text.Json;
using SelectBench.Common;
using SelectBench.Engine;
using SelectBench.Training;

namespace SelectBench.Tests.Engine;

/// <summary>
/// The engine under every oneDNN configuration this machine supports, each in its own process (the ISA cap is
/// fixed per process): the self-check passes, a short training of the configuration that diverged on AVX-512
/// machines (ResNet-20 x0.5, 28 px) stays finite, and the configurations agree within round-off. Also the
/// fallback: a self-check failure (injected) switches oneDNN off in the process and is remembered, so the
/// next process starts at a safe configuration. On a CPU without AVX-512 only AVX2 and "off" are compared; the
/// AVX-512 leg then runs on the machines that have it.
/// </summary>
public sealed class EngineConfigurationTests
{
    private sealed record ChildReport(EngineState Engine, EngineProbeResult? Probe, IReadOnlyList<MatrixRow>? Matrix);
    private sealed record MatrixRow(string Configuration, EngineState? Engine, EngineProbeResult? Probe, string? Error, double? LogitDifference, double? LossDifference);

    private static ChildReport Doctor(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var (code, output, error) = EngineDoctor.RunChild(["doctor", "--json", .. args], environment, TimeSpan.FromMinutes(10));
        Assert.True(code == 0, $"doctor exited {code}: {error}\n{output}");
        return EngineDoctor.ParseChildJson<ChildReport>(output, "doctor");
    }

    [Fact]
    public void Every_supported_isa_trains_finitely_and_agrees_with_the_others()
    {
        using var cache = new TempCache();
        var report = Doctor(cache.Environment(), "--matrix", "--steps", "6", "--threads", "1");
        var rows = report.Matrix!;
        Assert.Equal(EngineDoctor.Configurations().Select(c => c.Name), rows.Select(r => r.Configuration));
        foreach (var row in rows)
        {
            Assert.True(row.Error is null, $"{row.Configuration}: {row.Error}");
            Assert.True(row.Engine!.SelfCheck!.Passed, $"{row.Configuration}: {row.Engine.SelfCheck.Summary}");
            Assert.All(row.Probe!.Losses, l => Assert.True(double.IsFinite(l)));
            Assert.True(row.Probe.Losses[^1] < row.Probe.Losses[0], $"{row.Configuration}: the loss did not fall ({string.Join(", ", row.Probe.Losses)})");
            Assert.True(row.LogitDifference <= EngineComparison.LogitTolerance, $"{row.Configuration}: logits differ by {row.LogitDifference}");
            Assert.True(row.LossDifference <= EngineComparison.LossTolerance, $"{row.Configuration}: losses differ by {row.LossDifference}");
        }
        Assert.Equal(rows.Count, rows.Select(r => r.Engine!.Configuration).Distinct().Count());
    }

    [Fact]
    public void A_failing_self_check_falls_back_in_process_and_the_next_process_starts_safe()
    {
        using var cache = new TempCache();
        bool aboveAvx2 = TorchEngine.IsaRank(MachineInfo.Current.NativeOneDnnIsa) > TorchEngine.IsaRank("AVX2")
                         && MachineInfo.Current.IsaFlags.Contains("avx2");
        // The injected fault corrupts results only where a real AVX-512 kernel bug would (or under any oneDNN on
        // a machine without AVX-512), so the safe configuration really does pass.
        var environment = cache.Environment(new() { [EngineSelfCheck.FaultVariable] = aboveAvx2 ? "onednn-above-avx2" : "onednn" });

        var first = Doctor(environment).Engine;
        Assert.Equal("fallback", first.Source);
        Assert.Equal("oneDNN off", first.Configuration);
        Assert.True(first.SelfCheck!.Passed);
        Assert.Contains("self-check failed", first.Fallback);
        Assert.True(File.Exists(Path.Combine(cache.Folder, "engine-verdicts.json")));

        var second = Doctor(environment).Engine;
        Assert.True(second.SelfCheck!.Passed);
        if (aboveAvx2)
        {
            Assert.Equal("remembered", second.Source);
            Assert.Equal("oneDNN up to AVX2", second.Configuration);
            Assert.Null(second.Fallback);
        }
        else
        {
            Assert.Equal("oneDNN off", second.Configuration);
        }
    }

    [Fact]
    public void A_fault_in_every_configuration_is_a_clear_error()
    {
        using var cache = new TempCache();
        var (code, _, error) = EngineDoctor.RunChild(["doctor", "--json"],
            cache.Environment(new() { [EngineSelfCheck.FaultVariable] = "always" }), TimeSpan.FromMinutes(5));
        Assert.Equal(2, code);
        Assert.Contains("computes wrong numbers on this machine", error);
        Assert.Contains("selectbench doctor", error);
    }

    [Fact]
    public void An_unknown_engine_setting_is_refused_by_name()
    {
        using var cache = new TempCache();
        var (code, _, error) = EngineDoctor.RunChild(["doctor", "--json"],
            cache.Environment(new() { [TorchEngine.EngineVariable] = "fastest" }), TimeSpan.FromMinutes(5));
        Assert.Equal(2, code);
        Assert.Contains("SELECTBENCH_ENGINE='fastest'", error);
    }

    /// <summary>A private verdict cache, so tests neither read nor write the user's.</summary>
    private sealed class TempCache : IDisposable
    {
        public string Folder { get; } = Directory.CreateTempSubdirectory("sb-engine-cache").FullName;

        public IReadOnlyDictionary<string, string> Environment(Dictionary<string, string>? extra = null)
        {
            var env = new Dictionary<string, string> { ["SELECTBENCH_CACHE"] = Folder, [TorchEngine.EngineVariable] = "", [EngineSelfCheck.FaultVariable] = "" };
            foreach (var (k, v) in extra ?? []) env[k] = v;
            return env;
        }

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }
}
