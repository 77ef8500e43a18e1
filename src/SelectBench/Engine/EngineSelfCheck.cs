using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SelectBench.Engine;

/// <summary>One compared quantity: the largest error relative to the float64 reference's largest magnitude.</summary>
public sealed record SelfCheckCase(string Name, double RelativeError, bool Finite)
{
    public bool Passed(double tolerance) => Finite && RelativeError <= tolerance;
}

/// <summary>The self-check's verdict for the engine configuration it ran under.</summary>
public sealed record SelfCheckReport(bool Passed, double Tolerance, IReadOnlyList<SelfCheckCase> Cases, double Seconds, string? InjectedFault)
{
    /// <summary>"passed (14 cases, max error 3.1e-06, 0.21 s)" or the first failing case.</summary>
    public string Summary
    {
        get
        {
            var worst = Cases.Where(c => c.Finite).Select(c => c.RelativeError).DefaultIfEmpty(0).Max();
            if (Passed) return $"passed ({Cases.Count} cases, max relative error {worst:G2}, {Seconds:F2} s)";
            var bad = Cases.Where(c => !c.Passed(Tolerance)).ToList();
            return $"FAILED in {bad.Count} of {Cases.Count} cases: " + string.Join("; ",
                bad.Take(3).Select(c => c.Finite ? $"{c.Name} relative error {c.RelativeError:G3} > {Tolerance:G1}" : $"{c.Name} not finite"))
                + (InjectedFault is null ? "" : $" (fault injected: {InjectedFault})");
        }
    }
}

/// <summary>
/// The engine's self-check: the operations every SelectBench model is made of (convolutions at the shapes
/// the small profiles use, batch normalisation, a linear layer, and a small residual network with its loss),
/// forward and backward in float32 on the engine as configured, compared with the same computation in
/// float64. float64 never runs on oneDNN (it has no f64 convolution), so the reference is independent of the
/// kernels under test. Before each case the allocator's free lists are filled with NaN-poisoned blocks, so a
/// kernel that reads memory it never wrote (padding of blocked layouts, a freed buffer) shows up as a
/// non-finite value instead of depending on what happened to be there.
/// <para>
/// The tolerance, 1e-3 of the largest reference magnitude, is two orders above float32 round-off over the
/// longest reductions checked here (a weight gradient sums N*H*W = 12,544 products; float32 accumulation
/// error grows like sqrt(n) * 6e-8, about 1e-5) and three orders below what a wrong kernel produces
/// (errors of order 1, or NaN).
/// </para>
/// </summary>
public static class EngineSelfCheck
{
    public const double Tolerance = 1e-3;

    /// <summary>
    /// Fault injection for testing the fallback path (environment variable SELECTBENCH_ENGINE_FAULT):
    /// <c>onednn-above-avx2</c> corrupts results while oneDNN runs with an ISA above AVX2 (what an AVX-512 kernel
    /// bug looks like), <c>onednn</c> while oneDNN is on at all, <c>always</c> in every configuration.
    /// </summary>
    public const string FaultVariable = "SELECTBENCH_ENGINE_FAULT";

    /// <summary>(name, batch, in channels, out channels, size, kernel, stride, padding).</summary>
    private static readonly (string Name, int N, int Cin, int Cout, int Size, int K, int Stride, int Pad)[] Convolutions =
    [
        ("conv 1->8 3x3 (ResNet-20 x0.5 stem, 28 px)", 16, 1, 8, 28, 3, 1, 1),
        ("conv 8->8 3x3", 16, 8, 8, 28, 3, 1, 1),
        ("conv 8->16 3x3/2", 16, 8, 16, 28, 3, 2, 1),
        ("conv 16->32 3x3/2", 16, 16, 32, 14, 3, 2, 1),
        ("conv 32->32 3x3", 16, 32, 32, 7, 3, 1, 1),
        ("conv 3->16 3x3 (colour, 32 px)", 8, 3, 16, 32, 3, 1, 1),
        ("conv 8->16 1x1/2 (projection, fewer input channels than a vector)", 16, 8, 16, 14, 1, 2, 0),
        ("conv 64->128 1x1/2 (ResNet-18 projection)", 4, 64, 128, 14, 1, 2, 0),
        ("conv 3->64 7x7/2 (ImageNet stem)", 2, 3, 64, 64, 7, 2, 3),
    ];

    /// <summary>Runs every case under the engine as it is now configured in this process.</summary>
    public static SelfCheckReport Run(string? injectedFault = null)
    {
        var clock = Stopwatch.StartNew();
        var cases = new List<SelfCheckCase>();
        using var generator = new Generator(20240917, CPU);
        foreach (var c in Convolutions)
            cases.AddRange(Convolution(c.Name, c.N, c.Cin, c.Cout, c.Size, c.K, c.Stride, c.Pad, generator));
        cases.AddRange(BatchNormAndLinear(generator));
        cases.AddRange(ResidualNetwork(generator));
        if (injectedFault is not null) cases = cases.Select((c, i) => i == 1 ? c with { Finite = false } : c).ToList();
        bool passed = cases.All(c => c.Passed(Tolerance));
        return new SelfCheckReport(passed, Tolerance, cases, clock.Elapsed.TotalSeconds, injectedFault);
    }

    private static IEnumerable<SelfCheckCase> Convolution(string name, int n, int cin, int cout, int size, int k, int stride, int pad, Generator g)
    {
        using var scope = NewDisposeScope();
        int outSize = (size + 2 * pad - k) / stride + 1;
        var x = randn([n, cin, size, size], ScalarType.Float64, generator: g);
        var w = Scalars.MulInPlace(randn([cout, cin, k, k], ScalarType.Float64, generator: g), 1 / Math.Sqrt(cin * k * k));
        var upstream = randn([n, cout, outSize, outSize], ScalarType.Float64, generator: g);
        var results = new List<Tensor[]>();
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            Poison((long)n * Math.Max(cin, cout) * size * size);
            var xi = x.to_type(dtype).requires_grad_();
            var wi = w.to_type(dtype).requires_grad_();
            var y = F.conv2d(xi, wi, strides: [stride, stride], padding: [pad, pad]);
            y.mul(upstream.to_type(dtype)).sum().backward();
            results.Add([y.detach(), xi.grad!, wi.grad!]);
        }
        yield return Compare($"{name}: forward", results[0][0], results[1][0]);
        yield return Compare($"{name}: input gradient", results[0][1], results[1][1]);
        yield return Compare($"{name}: weight gradient", results[0][2], results[1][2]);
    }

    private static IEnumerable<SelfCheckCase> BatchNormAndLinear(Generator g)
    {
        using var scope = NewDisposeScope();
        var x = Scalars.AddConstantInPlace(Scalars.MulInPlace(randn([16, 8, 14, 14], ScalarType.Float64, generator: g), 3), 1);
        var gamma = Scalars.AddConstantInPlace(rand([8], ScalarType.Float64, generator: g), 0.5);
        var beta = randn([8], ScalarType.Float64, generator: g);
        var weight = Scalars.MulInPlace(randn([10, 8 * 14 * 14], ScalarType.Float64, generator: g), 0.02);
        var bias = randn([10], ScalarType.Float64, generator: g);
        var labels = randint(0, 10, [16], ScalarType.Int64, generator: g);
        var results = new List<Tensor[]>();
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            Poison(16L * 8 * 14 * 14);
            var xi = x.to_type(dtype).requires_grad_();
            var gi = gamma.to_type(dtype).requires_grad_();
            var bi = beta.to_type(dtype).requires_grad_();
            var wi = weight.to_type(dtype).requires_grad_();
            var ci = bias.to_type(dtype).requires_grad_();
            var runningMean = zeros([8], dtype);
            var runningVar = ones([8], dtype);
            var normalised = F.batch_norm(xi, runningMean, runningVar, gi, bi, training: true, momentum: 0.1, eps: 1e-5);
            var logits = F.linear(F.relu(normalised).flatten(1), wi, ci);
            var loss = F.cross_entropy(logits, labels);
            loss.backward();
            results.Add([loss.detach().reshape(1), normalised.detach(), xi.grad!, gi.grad!, wi.grad!, runningVar]);
        }
        string[] names = ["loss", "batch norm: forward", "batch norm: input gradient", "batch norm: scale gradient", "linear: weight gradient", "batch norm: running variance"];
        for (int i = 0; i < names.Length; i++) yield return Compare($"batch norm + linear {names[i]}", results[0][i], results[1][i]);
    }

    /// <summary>
    /// A small residual network of ResNet-20's kind at width 0.5 (8 and 16 channels, option-A shortcut),
    /// with its cross-entropy loss: the composite of every operation above, as a training step runs it.
    /// </summary>
    private static IEnumerable<SelfCheckCase> ResidualNetwork(Generator g)
    {
        using var scope = NewDisposeScope();
        Tensor Kaiming(int cout, int cin, int k) => Scalars.MulInPlace(randn([cout, cin, k, k], ScalarType.Float64, generator: g), Math.Sqrt(2.0 / (cout * k * k)));
        var parameters = new[] { Kaiming(8, 1, 3), Kaiming(8, 8, 3), Kaiming(8, 8, 3), Kaiming(16, 8, 3), Scalars.MulInPlace(randn([10, 16], ScalarType.Float64, generator: g), 0.25) };
        var x = rand([32, 1, 28, 28], ScalarType.Float64, generator: g);
        var labels = randint(0, 10, [32], ScalarType.Int64, generator: g);
        var results = new List<Tensor[]>();
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            Poison(32L * 16 * 28 * 28);
            var p = parameters.Select(t => t.to_type(dtype).requires_grad_()).ToArray();
            Tensor Bn(Tensor t) => F.batch_norm(t, null, null, null, null, training: true, momentum: 0.1, eps: 1e-5);
            var xi = x.to_type(dtype);
            var h = F.relu(Bn(F.conv2d(xi, p[0], padding: [1, 1])));
            var y = Bn(F.conv2d(F.relu(Bn(F.conv2d(h, p[1], padding: [1, 1]))), p[2], padding: [1, 1]));
            h = F.relu(Scalars.AddInPlace(y, h));
            var down = F.relu(Bn(F.conv2d(h, p[3], strides: [2, 2], padding: [1, 1])));
            var logits = F.linear(F.adaptive_avg_pool2d(down, 1).flatten(1), p[4]);
            var loss = F.cross_entropy(logits, labels);
            loss.backward();
            results.Add([loss.detach().reshape(1), .. p.Select(t => t.grad!)]);
        }
        yield return Compare("residual network: loss", results[0][0], results[1][0]);
        for (int i = 1; i < results[0].Length; i++) yield return Compare($"residual network: gradient of layer {i}", results[0][i], results[1][i]);
    }

    private static SelfCheckCase Compare(string name, Tensor value, Tensor reference)
    {
        using var scope = NewDisposeScope();
        var v = value.to_type(ScalarType.Float64);
        bool finite = v.isfinite().all().item<bool>();
        double scale = Math.Max(reference.abs().max().item<double>(), 1e-12);
        double error = finite ? v.sub(reference).abs().max().item<double>() / scale : double.PositiveInfinity;
        return new SelfCheckCase(name, error, finite);
    }

    /// <summary>
    /// Allocates blocks of the given element count (and halves and doubles of it), fills them with NaN and frees
    /// them, so that the allocator hands NaN-filled memory to the next allocations of similar size.
    /// </summary>
    private static void Poison(long elements)
    {
        using var scope = NewDisposeScope();
        using var nan = double.NaN.ToScalar();
        foreach (long size in new[] { elements / 2, elements, elements * 2, 4096, 65536 })
            for (int i = 0; i < 4; i++) empty([Math.Max(1, size)], ScalarType.Float32).fill_(nan);
    }
}
