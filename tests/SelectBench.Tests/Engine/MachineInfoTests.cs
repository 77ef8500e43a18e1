using SelectBench.Engine;

namespace SelectBench.Tests.Engine;

public sealed class MachineInfoTests
{
    private static IReadOnlySet<string> Flags(string flags) => flags.Split(' ').ToHashSet(StringComparer.Ordinal);

    [Theory]
    [InlineData("sse4_1 sse4_2", "SSE41")]
    [InlineData("sse4_1 avx", "AVX")]
    [InlineData("avx avx2 fma", "AVX2")]
    [InlineData("avx avx2 avx_vnni", "AVX2_VNNI")]
    [InlineData("avx avx2 avx512f avx512bw avx512vl avx512dq", "AVX512_CORE")]
    [InlineData("avx avx2 avx512f avx512bw avx512vl avx512dq avx512_vnni", "AVX512_CORE_VNNI")]
    // AMD Zen 4/5 (the CPU of the issue): BF16 and VNNI, no FP16.
    [InlineData("avx avx2 avx512f avx512bw avx512vl avx512dq avx512_vnni avx512_bf16 avx512_vp2intersect", "AVX512_CORE_BF16")]
    // Intel Sapphire Rapids without AMX exposed (this project's machines): FP16 as well.
    [InlineData("avx avx2 avx512f avx512bw avx512vl avx512dq avx512_vnni avx512_bf16 avx512_fp16", "AVX10_1_512")]
    [InlineData("avx avx2 avx512f avx512bw avx512vl avx512dq avx512_vnni avx512_bf16 avx512_fp16 amx_tile amx_int8 amx_bf16", "AVX10_1_512_AMX")]
    // AVX-512F alone (Knights Landing) is below oneDNN's AVX512_CORE.
    [InlineData("avx avx2 avx512f", "AVX2")]
    public void OneDnn_isa_follows_oneDNNs_isa_hierarchy(string flags, string expected) =>
        Assert.Equal(expected, MachineInfo.OneDnnIsaFor(Flags(flags)));

    [Theory]
    [InlineData("max 100000", null)]
    [InlineData("150000 100000", 1.5)]
    [InlineData("200000 100000\n", 2.0)]
    [InlineData("garbage", null)]
    public void Cgroup_v2_cpu_max_is_read_as_cores(string text, double? expected) =>
        Assert.Equal(expected, MachineInfo.ParseCpuMax(text));

    [Theory]
    [InlineData("0-3,8,10-11", 7)]
    [InlineData("0", 1)]
    [InlineData("0-1", 2)]
    public void Cpu_lists_are_counted(string list, int expected) => Assert.Equal(expected, MachineInfo.CountCpuList(list));

    [Fact]
    public void This_machine_is_described_with_at_least_one_usable_core()
    {
        var m = MachineInfo.Current;
        Assert.True(m.UsableCores >= 1 && m.UsableCores <= m.LogicalCores);
        Assert.False(string.IsNullOrWhiteSpace(m.CpuModel));
        Assert.Contains(m.NativeOneDnnIsa, m.Summary);
        if (m.IsaFlags.Contains("avx2")) Assert.Equal("AVX2", m.TestableIsaCaps()[0]);
    }

    [Fact]
    public void Isa_ranks_order_caps_below_the_native_maximum()
    {
        Assert.True(TorchEngine.IsaRank("AVX2") < TorchEngine.IsaRank("AVX512_CORE"));
        Assert.True(TorchEngine.IsaRank("AVX512_CORE_BF16") < TorchEngine.IsaRank("AVX10_1_512"));
        Assert.Equal(TorchEngine.IsaRank("AVX512_CORE_FP16"), TorchEngine.IsaRank("AVX10_1_512"));
    }

    [Fact]
    public void OneDnn_verbose_lines_give_version_isa_and_kernel()
    {
        const string output = """
            onednn_verbose,v1,info,oneDNN v3.7.1 (commit 8d263e693366ef8db40acc569cc7d8edf644556d)
            onednn_verbose,v1,info,cpu,runtime:OpenMP,nthr:2
            onednn_verbose,v1,info,cpu,isa:Intel AVX2
            onednn_verbose,v1,primitive,exec,cpu,convolution,jit:avx2,forward_training,src:f32::blocked:abcd::f0,,mb64_ic8oc8_ih28oh28kh3sh1dh0ph1_iw28ow28kw3sw1dw0pw1,4.4
            """;
        var report = EngineDoctor.ParseVerbose(output);
        Assert.Equal("oneDNN v3.7.1 (commit 8d263e693366ef8db40acc569cc7d8edf644556d)", report.Version);
        Assert.Equal("Intel AVX2", report.Isa);
        Assert.Equal("jit:avx2", report.Convolution);
    }
}
