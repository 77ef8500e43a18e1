using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using SelectBench.Common;
using TorchSharp;

namespace SelectBench.Engine;

/// <summary>How libtorch computes in this process, as recorded in job logs and run metadata.</summary>
/// <param name="Configuration">"oneDNN up to AVX10_1_512", "oneDNN up to AVX2", or "oneDNN off".</param>
/// <param name="OneDnnIsa">The ISA oneDNN may use (the cap or the CPU's maximum, whichever is lower); null when oneDNN is off.</param>
/// <param name="Source">Why this configuration: "default", "user" (ONEDNN_MAX_CPU_ISA or SELECTBENCH_ENGINE set),
/// "remembered" (an earlier self-check on this machine failed the faster one), or "fallback" (this process's self-check failed).</param>
/// <param name="Fallback">What failed and what replaced it, when this process fell back; null otherwise.</param>
public sealed record EngineState(
    string Configuration,
    string? OneDnnIsa,
    string Source,
    int Threads,
    string OpenMpWaitPolicy,
    string LibTorchVersion,
    string Cpu,
    SelfCheckReport? SelfCheck,
    string? Fallback)
{
    /// <summary>One line for a job's log.</summary>
    public string Summary =>
        $"engine: {Configuration} ({Source}), {Threads} thread(s), OMP_WAIT_POLICY={OpenMpWaitPolicy}, libtorch {LibTorchVersion}, {Cpu}; " +
        $"self-check {SelfCheck?.Summary ?? "not run"}" + (Fallback is null ? "" : $"; FALLBACK: {Fallback}");
}

/// <summary>
/// Sets up libtorch for correct numbers on any x86-64 or ARM CPU, before and at its first use:
/// <list type="number">
/// <item>When this assembly loads (before TorchSharp loads libtorch), <see cref="ConfigureEnvironment"/> sets
/// OMP_WAIT_POLICY=PASSIVE, so OpenMP threads sleep instead of spinning when the cores are shared (a busy
/// neighbour otherwise slows a run 15-fold, see BENCHMARKS.md), and applies the oneDNN ISA cap that an earlier
/// self-check on this machine found necessary (remembered in <see cref="EngineVerdicts"/>).</item>
/// <item>At the first real use, <see cref="EnsureReady"/> sets the thread count to the cores this process may
/// use and runs <see cref="EngineSelfCheck"/>. If the check fails or yields a non-finite value, oneDNN is
/// switched off for this process (it can be, at any time), the check runs again, and the failed configuration
/// is remembered so that later processes start with oneDNN capped at AVX2 (the ISA cap can only be set before
/// oneDNN's first use). The fallback is printed once, and <see cref="State"/> carries it into job logs and the
/// run's metadata.</item>
/// </list>
/// The environment wins over all of this: ONEDNN_MAX_CPU_ISA or DNNL_MAX_CPU_ISA set by the user is kept, and
/// SELECTBENCH_ENGINE=native|avx2|onednn-off forces a configuration (the self-check still runs and still falls back).
/// See docs/engine.md.
/// </summary>
public static class TorchEngine
{
    public const string EngineVariable = "SELECTBENCH_ENGINE";
    private const string OneDnnIsaVariable = "ONEDNN_MAX_CPU_ISA";
    private const string LegacyIsaVariable = "DNNL_MAX_CPU_ISA";
    private const string OneDnnOff = "oneDNN off";

    private static readonly Lock gate = new();
    private static string? plannedIsa;       // the cap this process starts with (null = the CPU's maximum)
    private static bool plannedOneDnnOff;
    private static string source = "default";
    private static bool configured;
    private static bool lateConfiguration;
    private static string? configurationError;
    private static EngineState? state;

    /// <summary>The engine as it runs now; null before <see cref="EnsureReady"/>.</summary>
    public static EngineState? State
    {
        get { lock (gate) return state; }
    }

    // A module initializer is the one hook that runs before any code of this library in every host (the CLI,
    // the tests, the benchmarks), and so before TorchSharp can load libtorch and libgomp reads OMP_WAIT_POLICY.
#pragma warning disable CA2255
    [ModuleInitializer]
    internal static void ConfigureOnLoad() => ConfigureEnvironment();
#pragma warning restore CA2255

    /// <summary>
    /// Sets the variables native libraries read when they load or first run. Idempotent; runs when this
    /// assembly loads. Reads no tensors and loads no native library.
    /// </summary>
    public static void ConfigureEnvironment()
    {
        lock (gate)
        {
            if (configured) return;
            configured = true;
            lateConfiguration = NativeRuntime.LibTorchLoaded();
            // The user's own wait setting (a policy, or libgomp's spin count) is kept.
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"))
                && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("GOMP_SPINCOUNT")))
                NativeRuntime.SetEnvironment("OMP_WAIT_POLICY", "PASSIVE");

            var userIsa = Environment.GetEnvironmentVariable(OneDnnIsaVariable) ?? Environment.GetEnvironmentVariable(LegacyIsaVariable);
            var forced = Environment.GetEnvironmentVariable(EngineVariable)?.Trim().ToLowerInvariant();
            if (!string.IsNullOrEmpty(forced))
            {
                source = "user";
                switch (forced)
                {
                    case "native": break;
                    case "avx2": plannedIsa = "AVX2"; break;
                    case "onednn-off": plannedOneDnnOff = true; break;
                    default:
                        // Thrown at EnsureReady: an exception here would surface as a type-initialisation failure.
                        configurationError = $"{EngineVariable}='{forced}' is not a configuration; use native, avx2 or onednn-off (or unset it).";
                        break;
                }
            }
            else if (!string.IsNullOrEmpty(userIsa))
            {
                source = "user";
                plannedIsa = userIsa.Trim().ToUpperInvariant();
            }
            else
            {
                var failed = EngineVerdicts.FailedConfigurations(MachineInfo.Current);
                var native = ConfigurationName(null);
                if (failed.Contains(native))
                {
                    source = "remembered";
                    if (MachineInfo.Current.IsaFlags.Contains("avx2") && !failed.Contains(ConfigurationName("AVX2"))) plannedIsa = "AVX2";
                    else plannedOneDnnOff = true;
                }
            }
            if (plannedIsa is not null && !plannedOneDnnOff) NativeRuntime.SetEnvironment(OneDnnIsaVariable, plannedIsa);
        }
    }

    /// <summary>
    /// Makes the engine ready for real work: threads, the oneDNN switch, and the self-check with its fallback.
    /// Call before the first training, evaluation or encoder in a process; cheap after the first call.
    /// </summary>
    /// <param name="threads">Intra-op threads; 0 = every core this process may use.</param>
    public static EngineState EnsureReady(int threads = 0)
    {
        lock (gate)
        {
            ConfigureEnvironment();
            if (configurationError is not null) throw new SelectBenchException(configurationError);
            int usable = MachineInfo.Current.UsableCores;
            int wanted = threads > 0 ? threads : usable;
            if (state is not null)
            {
                if (threads > 0 && torch.get_num_threads() != wanted) torch.set_num_threads(wanted);
                return state = state with { Threads = torch.get_num_threads() };
            }
            torch.set_num_threads(wanted);
            if (plannedOneDnnOff) NativeRuntime.TrySetOneDnnEnabled(false);
            var fault = Environment.GetEnvironmentVariable(EngineSelfCheck.FaultVariable);
            var configuration = CurrentConfiguration();
            var check = EngineSelfCheck.Run(FaultApplies(fault, configuration) ? fault : null);
            string? fallback = null;
            if (!check.Passed)
            {
                EngineVerdicts.RecordFailure(MachineInfo.Current, configuration, check.Summary);
                if (configuration != OneDnnOff && NativeRuntime.TrySetOneDnnEnabled(false))
                {
                    var failedCheck = check;
                    var retry = CurrentConfiguration();
                    check = EngineSelfCheck.Run(FaultApplies(fault, retry) ? fault : null);
                    if (!check.Passed) EngineVerdicts.RecordFailure(MachineInfo.Current, retry, check.Summary);
                    fallback = $"the self-check failed with {configuration} ({failedCheck.Summary}); this process now runs with {retry}" +
                               $" and later processes on this machine start with {NextStart()} ({EngineVerdicts.Location})";
                    configuration = retry;
                    source = "fallback";
                }
                if (!check.Passed)
                    throw new SelectBenchException(
                        $"The numeric engine computes wrong numbers on this machine ({MachineInfo.Current.Summary}) in every configuration tried: " +
                        $"{check.Summary}. Run 'selectbench doctor' and report its output; set {EngineVariable}=onednn-off to try the slowest path.");
                Console.Error.WriteLine($"selectbench: warning: {fallback}.");
            }
            var waitPolicy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")
                             ?? (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is { } spin ? $"unset, GOMP_SPINCOUNT={spin}" : "default");
            if (lateConfiguration) waitPolicy += " (set after libtorch loaded: may not apply)";
            state = new EngineState(configuration, configuration == OneDnnOff ? null : EffectiveIsa(), source, torch.get_num_threads(),
                waitPolicy, LibTorchVersion, MachineInfo.Current.CpuModel, check, fallback);
            return state;
        }
    }

    /// <summary>The libtorch version TorchSharp loads (its native package's version).</summary>
    public static string LibTorchVersion => torch.__version__;

    /// <summary>The ISA oneDNN may use here: the cap if it is set and below the CPU's maximum, else the maximum.</summary>
    public static string EffectiveIsa()
    {
        var native = MachineInfo.Current.NativeOneDnnIsa;
        var cap = Environment.GetEnvironmentVariable(OneDnnIsaVariable) ?? Environment.GetEnvironmentVariable(LegacyIsaVariable);
        if (string.IsNullOrEmpty(cap)) return native;
        cap = cap.Trim().ToUpperInvariant();
        return IsaRank(cap) < IsaRank(native) ? cap : native;
    }

    /// <summary>Order of oneDNN's ISA names (its cpu_isa_t hierarchy), for comparing a cap with the CPU's maximum.</summary>
    public static int IsaRank(string isa) => isa switch
    {
        "SSE41" => 1,
        "AVX" => 2,
        "AVX2" => 3,
        "AVX2_VNNI" => 4,
        "AVX2_VNNI_2" => 5,
        "AVX512_CORE" => 6,
        "AVX512_CORE_VNNI" => 7,
        "AVX512_CORE_BF16" => 8,
        "AVX10_1_512" or "AVX512_CORE_FP16" => 9,
        "AVX512_CORE_AMX" => 10,
        "AVX10_1_512_AMX" => 11,
        "AVX10_1_512_AMX_FP16" or "AVX512_CORE_AMX_FP16" => 12,
        _ => 100,
    };

    private static string CurrentConfiguration() =>
        NativeRuntime.OneDnnEnabled == false ? OneDnnOff : ConfigurationName(EffectiveIsa() == MachineInfo.Current.NativeOneDnnIsa ? null : EffectiveIsa());

    private static string ConfigurationName(string? isa) => $"oneDNN up to {isa ?? MachineInfo.Current.NativeOneDnnIsa}";

    private static string NextStart()
    {
        var failed = EngineVerdicts.FailedConfigurations(MachineInfo.Current);
        return MachineInfo.Current.IsaFlags.Contains("avx2") && !failed.Contains(ConfigurationName("AVX2"))
            ? $"{OneDnnIsaVariable}=AVX2" : "oneDNN off";
    }

    private static bool FaultApplies(string? fault, string configuration) => fault switch
    {
        null or "" => false,
        "always" => true,
        "onednn" => configuration != OneDnnOff,
        "onednn-above-avx2" => configuration != OneDnnOff && IsaRank(EffectiveIsa()) > IsaRank("AVX2"),
        _ => throw new SelectBenchException($"{EngineSelfCheck.FaultVariable}='{fault}' is not a fault; use onednn-above-avx2, onednn or always."),
    };
}

/// <summary>
/// Engine configurations whose self-check failed on a machine, remembered across processes in
/// <c>$SELECTBENCH_CACHE/engine-verdicts.json</c> (default <c>$XDG_CACHE_HOME/selectbench</c>, else
/// <c>~/.cache/selectbench</c>), keyed by CPU model, ISA flags and TorchSharp version. A process that cannot
/// write there still falls back; it only cannot tell the next one.
/// </summary>
public static class EngineVerdicts
{
    private sealed record Verdict(string Key, string Cpu, string TorchSharp, string Configuration, string Reason, DateTimeOffset RecordedAt);

    /// <summary>
    /// TorchSharp's version, which fixes the libtorch (and oneDNN) build. Read from the assembly, not from
    /// torch.__version__, because this runs before libtorch may be touched.
    /// </summary>
    private static string TorchSharpVersion => typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string Location
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("SELECTBENCH_CACHE");
            if (string.IsNullOrEmpty(root))
            {
                var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                root = Path.Combine(!string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "selectbench");
            }
            return Path.Combine(root, "engine-verdicts.json");
        }
    }

    private static string Key(MachineInfo machine) => $"{machine.CpuModel}|{string.Join(",", machine.IsaFlags)}|TorchSharp {TorchSharpVersion}";

    public static IReadOnlySet<string> FailedConfigurations(MachineInfo machine)
    {
        var key = Key(machine);
        return Read().Where(v => v.Key == key).Select(v => v.Configuration).ToHashSet(StringComparer.Ordinal);
    }

    public static void RecordFailure(MachineInfo machine, string configuration, string reason)
    {
        try
        {
            var all = Read().ToList();
            var key = Key(machine);
            if (all.Any(v => v.Key == key && v.Configuration == configuration)) return;
            all.Add(new Verdict(key, machine.CpuModel, TorchSharpVersion, configuration, reason, DateTimeOffset.UtcNow));
            Directory.CreateDirectory(Path.GetDirectoryName(Location)!);
            AtomicFile.WriteAllText(Location, JsonSerializer.Serialize(all, Options));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SelectBenchException)
        {
            Console.Error.WriteLine($"selectbench: warning: could not remember the engine verdict in {Location}: {e.Message}");
        }
    }

    private static IReadOnlyList<Verdict> Read()
    {
        try
        {
            if (!File.Exists(Location)) return [];
            return JsonSerializer.Deserialize<List<Verdict>>(File.ReadAllText(Location), Options) ?? [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // An unreadable cache only means no remembered verdicts: the self-check still protects this process.
            return [];
        }
    }
}
