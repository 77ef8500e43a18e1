using System.Text.Json.Serialization;
using SelectBench.Engine;

namespace SelectBench.Benchmark;

/// <summary>
/// The machine a run's numbers were computed on, as results.json, leaderboard.json and the report record it
/// (<c>engine: { cpu_model, native_isa, usable_cores }</c>). Training-based numbers (and a world's generator and
/// reference models) are not bit-exact across CPUs, so two leaderboards made on two CPUs must say so. This record
/// and <see cref="Current"/> are the one place the engine description enters the run metadata: new fields (such as
/// the oneDNN ISA actually in use after a fallback) go here.
/// </summary>
/// <param name="CpuModel">/proc/cpuinfo's model name.</param>
/// <param name="NativeIsa">The highest oneDNN ISA the CPU supports (ONEDNN_MAX_CPU_ISA names, e.g. AVX2, AVX512_CORE).</param>
/// <param name="UsableCores">Cores this process may use (affinity and cgroup quota).</param>
public sealed record EngineDescription(string CpuModel, string NativeIsa, int UsableCores)
{
    /// <summary>This process's machine (<see cref="MachineInfo.Current"/>).</summary>
    public static EngineDescription Current()
    {
        var machine = MachineInfo.Current;
        return new EngineDescription(machine.CpuModel, machine.NativeOneDnnIsa, machine.UsableCores);
    }

    /// <summary>"Intel(R) Xeon(R) Processor (oneDNN AVX512_CORE_FP16, 2 usable cores)".</summary>
    [JsonIgnore]
    public string Summary => $"{CpuModel} (oneDNN {NativeIsa}, {UsableCores} usable core{(UsableCores == 1 ? "" : "s")})";
}
