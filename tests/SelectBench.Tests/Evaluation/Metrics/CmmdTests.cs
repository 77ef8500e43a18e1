using FsCheck.Xunit;
using SelectBench.Common;
using SelectBench.Evaluation.Metrics;

namespace SelectBench.Tests.Evaluation.Metrics;

public class CmmdTests
{
    [Fact]
    public void SetAgainstItselfIsExactlyZero()
    {
        var x = TestEmbeddings.Gaussian(50, 8, seed: 4);
        Assert.Equal(0, Cmmd.Compute(x, x));
    }

    [Fact]
    public void HandComputedOrthogonalPair()
    {
        // After normalisation x = (1,0), y = (0,1): |x - y|^2 = 2, gamma = 1/200.
        // Biased: 1000 (1 + 1 - 2 exp(-0.01)) = 19.9003325.
        double cmmd = Cmmd.Compute(TestEmbeddings.Rows([3f, 0f]), TestEmbeddings.Rows([0f, 5f]));
        Assert.Equal(2000 * (1 - Math.Exp(-0.01)), cmmd, 4);
    }

    [Fact]
    public void UnbiasedOptionDropsTheDiagonal()
    {
        // X = Y = {(1,0), (0,1)}. Off-diagonal means of K_xx and K_yy: exp(-0.01); mean K_xy: (2 + 2 exp(-0.01)) / 4.
        // 1000 (2 exp(-0.01) - (1 + exp(-0.01))) = 1000 (exp(-0.01) - 1) = -9.9501663.
        var x = TestEmbeddings.Rows([1f, 0f], [0f, 1f]);
        Assert.Equal(1000 * (Math.Exp(-0.01) - 1), Cmmd.Compute(x, x, new CmmdSettings(Unbiased: true)), 4);
        Assert.Equal(0, Cmmd.Compute(x, x), 10);
    }

    [Fact]
    public void NaNEmbeddingsAreRejectedWithTheRow()
    {
        var bad = TestEmbeddings.Rows([1f, 0f], [float.NaN, 1f]);
        var error = Assert.Throws<BadInputException>(() => Cmmd.Compute(bad, bad));
        Assert.Contains("embedding 1", error.Message);
    }

    [Property(MaxTest = 15)]
    public bool BiasedCmmdIsNonNegative(int seed)
    {
        var rng = new Random(seed);
        var a = TestEmbeddings.Gaussian(1 + rng.Next(20), 5, seed);
        var b = TestEmbeddings.Gaussian(1 + rng.Next(20), 5, seed + 1, mean: [rng.NextDouble(), 0, 0, 0, 0]);
        return Cmmd.Compute(a, b) >= -1e-3;
    }

    [Property(MaxTest = 10)]
    public bool InvariantToRowOrder(int seed)
    {
        var a = TestEmbeddings.Gaussian(12, 4, seed);
        var b = TestEmbeddings.Gaussian(9, 4, seed + 1);
        var reversed = TestEmbeddings.Rows(Enumerable.Range(0, 12).Reverse().Select(i => a.Row(i).ToArray()).ToArray());
        return Math.Abs(Cmmd.Compute(a, b) - Cmmd.Compute(reversed, b)) < 1e-3;
    }
}
