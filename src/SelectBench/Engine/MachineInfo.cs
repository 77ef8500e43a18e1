using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace SelectBench.Engine;

/// <summary>
/// What this machine offers the numeric engine: the CPU model, the instruction-set extensions that decide
/// which oneDNN kernels run, and how many cores this process may use (affinity mask and cgroup quota).
/// Read once per process; recorded in every run's metadata so that two leaderboards made on two CPUs can
/// be told apart.
/// </summary>
public sealed record MachineInfo(
    string CpuModel,
    string Architecture,
    IReadOnlyList<string> IsaFlags,
    string NativeOneDnnIsa,
    int LogicalCores,
    int AffinityCores,
    double? CgroupCpuQuota,
    int UsableCores)
{
    private static readonly Lazy<MachineInfo> current = new(Read);

    /// <summary>This process's machine.</summary>
    public static MachineInfo Current => current.Value;

    /// <summary>
    /// The CPU flags that change numeric kernels (the AVX family, VNNI, BF16, FP16, AMX, FMA), in the
    /// order of <c>/proc/cpuinfo</c>.
    /// </summary>
    public static readonly IReadOnlySet<string> RelevantFlags = new HashSet<string>(StringComparer.Ordinal)
    {
        "sse4_1", "sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512dq", "avx512cd", "avx512bw",
        "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx512_vp2intersect", "avx512ifma", "avx512vbmi",
        "amx_tile", "amx_int8", "amx_bf16", "amx_fp16",
    };

    /// <summary>One line for logs and metadata: "Intel(R) Xeon(R) ... (x86_64, oneDNN max AVX512_CORE_FP16, 2 cores)".</summary>
    public string Summary => $"{CpuModel} ({Architecture}, oneDNN max {NativeOneDnnIsa}, {UsableCores} usable core{(UsableCores == 1 ? "" : "s")})";

    private static MachineInfo Read()
    {
        string model = "unknown CPU";
        var flags = new List<string>();
        if (File.Exists("/proc/cpuinfo"))
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                int colon = line.IndexOf(':');
                if (colon < 0) continue;
                var key = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                if (key == "model name" && model == "unknown CPU") model = value;
                else if (key == "flags" && flags.Count == 0) flags.AddRange(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                if (model != "unknown CPU" && flags.Count > 0) break;
            }
        }
        if (flags.Count == 0) flags.AddRange(IntrinsicFlags());
        var set = new HashSet<string>(flags, StringComparer.Ordinal);
        var relevant = flags.Where(RelevantFlags.Contains).Distinct().ToList();
        int logical = Environment.ProcessorCount;
        int affinity = AffinityCount() ?? logical;
        double? quota = CgroupQuota();
        // .NET's ProcessorCount already honours both the affinity mask and the cgroup quota (rounded up);
        // the explicit values are kept for the doctor's report.
        int usable = Math.Max(1, Math.Min(logical, quota is { } q ? (int)Math.Ceiling(q) : logical));
        return new MachineInfo(model, RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), relevant,
            OneDnnIsaFor(set), logical, affinity, quota, usable);
    }

    /// <summary>
    /// The highest oneDNN ISA (the names <c>ONEDNN_MAX_CPU_ISA</c> takes) that the flags allow, following
    /// oneDNN's cpu_isa_traits: AVX512_CORE needs F, BW, VL and DQ; VNNI, BF16 and FP16 add to it; AMX needs
    /// tiles with INT8 and BF16.
    /// </summary>
    public static string OneDnnIsaFor(IReadOnlySet<string> flags)
    {
        bool Has(params string[] names) => names.All(flags.Contains);
        if (!Has("avx")) return Has("sse4_1") ? "SSE41" : "DEFAULT";
        if (!Has("avx2")) return "AVX";
        if (!Has("avx512f", "avx512bw", "avx512vl", "avx512dq"))
            return Has("avx_vnni") ? "AVX2_VNNI" : "AVX2";
        bool amx = Has("amx_tile", "amx_int8", "amx_bf16");
        if (Has("avx512_fp16", "avx512_bf16", "avx512_vnni")) return amx ? (Has("amx_fp16") ? "AVX10_1_512_AMX_FP16" : "AVX10_1_512_AMX") : "AVX10_1_512";
        if (Has("avx512_bf16", "avx512_vnni")) return amx ? "AVX512_CORE_AMX" : "AVX512_CORE_BF16";
        if (Has("avx512_vnni")) return "AVX512_CORE_VNNI";
        return "AVX512_CORE";
    }

    /// <summary>The oneDNN ISA caps worth testing on this machine, lowest first: AVX2 and the native maximum when higher.</summary>
    public IReadOnlyList<string> TestableIsaCaps()
    {
        var caps = new List<string>();
        var flags = new HashSet<string>(IsaFlags, StringComparer.Ordinal);
        if (flags.Contains("avx2")) caps.Add("AVX2");
        if (!caps.Contains(NativeOneDnnIsa) && NativeOneDnnIsa is not ("DEFAULT" or "SSE41" or "AVX")) caps.Add(NativeOneDnnIsa);
        return caps;
    }

    private static IEnumerable<string> IntrinsicFlags()
    {
        if (Sse41.IsSupported) yield return "sse4_1";
        if (Avx.IsSupported) yield return "avx";
        if (Avx2.IsSupported) yield return "avx2";
        if (Fma.IsSupported) yield return "fma";
        if (Avx512F.IsSupported) yield return "avx512f";
        if (Avx512BW.IsSupported) yield return "avx512bw";
        if (Avx512DQ.IsSupported) yield return "avx512dq";
        if (Avx512F.VL.IsSupported) yield return "avx512vl";
        if (Avx512CD.IsSupported) yield return "avx512cd";
    }

    private static int? AffinityCount()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
                    return CountCpuList(line["Cpus_allowed_list:".Length..].Trim());
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>Counts a kernel CPU list such as "0-3,8,10-11" (7 CPUs).</summary>
    public static int CountCpuList(string list)
    {
        int count = 0;
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-');
            if (range.Length == 2 && int.TryParse(range[0], out var a) && int.TryParse(range[1], out var b)) count += b - a + 1;
            else if (int.TryParse(part, out _)) count++;
        }
        return count;
    }

    /// <summary>
    /// The cgroup CPU quota in cores (cgroup v2 <c>cpu.max</c>, else v1 <c>cpu.cfs_quota_us</c> /
    /// <c>cpu.cfs_period_us</c>), or null when unlimited or unknown.
    /// </summary>
    private static double? CgroupQuota()
    {
        try
        {
            if (File.Exists("/sys/fs/cgroup/cpu.max")) return ParseCpuMax(File.ReadAllText("/sys/fs/cgroup/cpu.max"));
            const string v1 = "/sys/fs/cgroup/cpu/";
            if (File.Exists(v1 + "cpu.cfs_quota_us") && File.Exists(v1 + "cpu.cfs_period_us")
                && long.TryParse(File.ReadAllText(v1 + "cpu.cfs_quota_us").Trim(), out var q) && q > 0
                && long.TryParse(File.ReadAllText(v1 + "cpu.cfs_period_us").Trim(), out var p) && p > 0)
                return (double)q / p;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>Parses cgroup v2 <c>cpu.max</c> ("max 100000" = unlimited, "150000 100000" = 1.5 cores).</summary>
    public static double? ParseCpuMax(string text)
    {
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || parts[0] == "max") return null;
        return long.TryParse(parts[0], out var quota) && long.TryParse(parts[1], out var period) && quota > 0 && period > 0
            ? (double)quota / period : null;
    }
}
