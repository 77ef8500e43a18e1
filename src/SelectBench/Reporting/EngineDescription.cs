using System.Text.Json.Serialization;
using SelectBench.Engine;

namespace SelectBench.Reporting;

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
/// <param name="Configurations">The engine configurations the run's jobs computed with, each with how many jobs used
/// it, e.g. "oneDNN up to AVX10_1_512 (default): 50 jobs" (<see cref="EngineState"/>); more than one means the
/// jobs did not all compute the same way (a fallback, or Slurm nodes of different CPUs).</param>
/// <param name="Fallbacks">Every distinct fallback a job's self-check made (<see cref="EngineState.Fallback"/>).</param>
public sealed record EngineDescription(string CpuModel, string NativeIsa, int UsableCores)
{
    public IReadOnlyList<string>? Configurations { get; init; }
    public IReadOnlyList<string>? Fallbacks { get; init; }

    /// <summary>This process's machine (<see cref="MachineInfo.Current"/>).</summary>
    public static EngineDescription Current()
    {
        var machine = MachineInfo.Current;
        return new EngineDescription(machine.CpuModel, machine.NativeOneDnnIsa, machine.UsableCores);
    }

    /// <summary>This machine, with the engine configurations and fallbacks that the given jobs recorded.</summary>
    public static EngineDescription Of(IEnumerable<EngineState> jobs)
    {
        var states = jobs.ToList();
        var here = Current();
        return here with
        {
            // The CPU is named only where a job ran on another one (a Slurm node).
            Configurations = states.GroupBy(e => $"{e.Configuration} ({e.Source}){(e.Cpu == here.CpuModel ? "" : $" on {e.Cpu}")}")
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key}: {g.Count()} job{(g.Count() == 1 ? "" : "s")}").ToList(),
            Fallbacks = states.Select(e => e.Fallback).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>"Intel(R) Xeon(R) Processor (oneDNN AVX512_CORE_FP16, 2 usable cores)", plus the engine configurations jobs used.</summary>
    [JsonIgnore]
    public string Summary => $"{CpuModel} (oneDNN {NativeIsa}, {UsableCores} usable core{(UsableCores == 1 ? "" : "s")})"
                             + (Configurations is { Count: > 0 } c ? $"; engine {string.Join("; ", c)}" : "")
                             + (Fallbacks is { Count: > 0 } f ? $"; FALLBACK: {string.Join("; ", f)}" : "");
}
