using SelectBench.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Tests.Engine;

/// <summary>
/// The scalar-safe optimizers and batch norm must compute exactly what TorchSharp's originals compute (they
/// only keep their Scalars alive), and save and load the same state.
/// </summary>
public sealed class ScalarSafeModulesTests
{
    private static (nn.Module<Tensor, Tensor> Model, Tensor X, Tensor Y) Problem(int seed)
    {
        using var generator = new Generator((ulong)seed, CPU);
        var model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3));
        using (no_grad())
            foreach (var p in model.parameters()) p.copy_(randn(p.shape, generator: generator));
        return (model, randn([16, 6], generator: generator), randint(0, 3, [16], ScalarType.Int64, generator: generator));
    }

    private static float[][] Train(Func<IEnumerable<TorchSharp.Modules.Parameter>, optim.Optimizer> make, int steps = 5)
    {
        var (model, x, y) = Problem(3);
        using var optimizer = (IDisposable)make(model.parameters());
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            ((optim.Optimizer)optimizer).zero_grad();
            loss.backward();
            ((optim.Optimizer)optimizer).step();
        }
        return model.parameters().Select(p => p.data<float>().ToArray()).ToArray();
    }

    [Theory]
    [InlineData(0.0, 0.0, false)]
    [InlineData(0.9, 5e-4, false)]
    [InlineData(0.9, 5e-4, true)]
    public void Sgd_updates_equal_TorchSharp_SGD_bit_for_bit(double momentum, double weightDecay, bool nesterov)
    {
        var theirs = Train(p => optim.SGD(p, 0.1, momentum: momentum, weight_decay: weightDecay, nesterov: nesterov));
        var ours = Train(p => new ScalarSafeSgd(p, 0.1, momentum: momentum, weightDecay: weightDecay, nesterov: nesterov));
        Assert.Equal(theirs, ours);
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(1e-2, false)]
    [InlineData(0.0, true)]
    public void Adam_updates_equal_TorchSharp_Adam(double weightDecay, bool amsgrad)
    {
        var theirs = Train(p => optim.Adam(p, 0.01, weight_decay: weightDecay, amsgrad: amsgrad));
        var ours = Train(p => new ScalarSafeAdam(p, 0.01, weightDecay: weightDecay, amsgrad: amsgrad));
        for (int i = 0; i < theirs.Length; i++)
            for (int j = 0; j < theirs[i].Length; j++)
                Assert.Equal(theirs[i][j], ours[i][j], 6);
    }

    [Fact]
    public void Sgd_momentum_state_round_trips_through_TorchSharp_state_files()
    {
        var (model, x, y) = Problem(4);
        using var sgd = new ScalarSafeSgd(model.parameters(), 0.1, momentum: 0.9);
        var loss = nn.functional.cross_entropy(model.forward(x), y);
        loss.backward();
        sgd.step();
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) sgd.save_state_dict(w);
        // Our state loads into a fresh optimizer of ours; TorchSharp SGD's state (older checkpoints) does too.
        var (other, _, _) = Problem(4);
        using var again = new ScalarSafeSgd(other.parameters(), 0.1, momentum: 0.9);
        OptimizerStateFiles.Load(again, ms.ToArray());
        Assert.Equal(Momentum(sgd), Momentum(again));

        var (legacyModel, lx, ly) = Problem(4);
        using var legacy = optim.SGD(legacyModel.parameters(), 0.1, momentum: 0.9);
        nn.functional.cross_entropy(legacyModel.forward(lx), ly).backward();
        legacy.step();
        using var legacyState = new MemoryStream();
        using (var w = new BinaryWriter(legacyState, System.Text.Encoding.UTF8, leaveOpen: true)) legacy.save_state_dict(w);
        var (resumedModel, _, _) = Problem(4);
        using var resumed = new ScalarSafeSgd(resumedModel.parameters(), 0.1, momentum: 0.9);
        OptimizerStateFiles.Load(resumed, legacyState.ToArray());
        Assert.Equal(Momentum(legacy), Momentum(resumed));
    }

    private static float[] Momentum(optim.Optimizer optimizer) =>
        ((TorchSharp.Modules.SGD.State)((TorchSharp.Modules.OptimizerHelper)optimizer).state_dict().State[0]).momentum_buffer.data<float>().ToArray();

    [Fact]
    public void Batch_norm_matches_TorchSharp_in_training_and_evaluation_and_shares_its_state_names()
    {
        using var generator = new Generator(9, CPU);
        using var ours = new ScalarSafeBatchNorm2d(4);
        using var theirs = nn.BatchNorm2d(4);
        Assert.Equal(theirs.state_dict().Keys.OrderBy(k => k), ours.state_dict().Keys.OrderBy(k => k));
        for (int step = 0; step < 3; step++)
        {
            using var x = Scalars.AddConstantInPlace(randn([8, 4, 5, 5], generator: generator), step);
            Assert.Equal(theirs.forward(x).data<float>().ToArray(), ours.forward(x).data<float>().ToArray());
        }
        Assert.Equal(theirs.running_mean!.data<float>().ToArray(), ours.running_mean!.data<float>().ToArray());
        Assert.Equal(theirs.running_var!.data<float>().ToArray(), ours.running_var!.data<float>().ToArray());
        Assert.Equal(3L, ours.num_batches_tracked!.item<long>());
        ours.eval();
        theirs.eval();
        using var probe = randn([2, 4, 5, 5], generator: generator);
        Assert.Equal(theirs.forward(probe).data<float>().ToArray(), ours.forward(probe).data<float>().ToArray());
        Assert.Equal(3L, ours.num_batches_tracked!.item<long>());
    }

    [Fact]
    public void Scalar_helpers_compute_what_the_operators_compute()
    {
        using var generator = new Generator(2, CPU);
        using var a = randn([50], generator: generator);
        using var b = randn([50], generator: generator);
        Assert.Equal((a + b).data<float>().ToArray(), Scalars.Add(a, b).data<float>().ToArray());
        Assert.Equal((a * 0.3).data<float>().ToArray(), Scalars.Mul(a, 0.3).data<float>().ToArray());
        Assert.Equal((a / 7).data<float>().ToArray(), Scalars.Div(a, 7).data<float>().ToArray());
        Assert.Equal((1 - a).data<float>().ToArray(), Scalars.SubtractFrom(1, a).data<float>().ToArray());
        Assert.Equal((a * 2 - 1).data<float>().ToArray(), Scalars.Affine(a, 2, -1).data<float>().ToArray());
        Assert.Equal(a.clamp(-0.5, 0.5).data<float>().ToArray(), Scalars.Clamp(a, -0.5, 0.5).data<float>().ToArray());
        Assert.Equal(a.pow(2).data<float>().ToArray(), Scalars.Pow(a, 2).data<float>().ToArray());
        Assert.Equal((a < 0.25).data<bool>().ToArray(), Scalars.LessThan(a, 0.25).data<bool>().ToArray());
        Assert.Equal(arange(3, 9, dtype: ScalarType.Int64).data<long>().ToArray(), Scalars.Arange(3, 9).data<long>().ToArray());
        using var ints = Scalars.Arange(4);
        using var shifted = Scalars.AddInteger(ints, 4);
        Assert.Equal(ScalarType.Int64, shifted.dtype);
        Assert.Equal(new long[] { 4, 5, 6, 7 }, shifted.data<long>().ToArray());
    }
}
