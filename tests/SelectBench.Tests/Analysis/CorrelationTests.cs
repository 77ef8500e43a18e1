using FsCheck.Xunit;
using SelectBench.Analysis;
using SelectBench.Statistics;

namespace SelectBench.Tests.Analysis;

public class CorrelationTests
{
    // The three examples from scipy.stats' documentation (pearsonr, spearmanr, kendalltau).
    [Fact]
    public void ScipyPearsonExample() =>
        Assert.Equal(-0.7426106572325057, Correlation.Pearson([1, 2, 3, 4, 5], [10, 9, 2.5, 6, 4]), 12);

    [Fact]
    public void ScipySpearmanExampleWithATie() =>
        Assert.Equal(0.8207826816681233, Correlation.Spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 12);

    [Fact]
    public void ScipyKendallTauBExampleWithTies() =>
        Assert.Equal(-0.47140452079103173, Correlation.KendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]), 12);

    [Fact]
    public void AverageRanksOfTies() =>
        Assert.Equal([1.5, 3, 1.5, 4.5, 4.5], Correlation.AverageRanks([2, 5, 2, 9, 9]));

    [Fact]
    public void MonotoneAndReversed()
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        double[] up = [1, 4, 9, 16, 25, 36];
        double[] down = up.Reverse().ToArray();
        Assert.Equal(1, Correlation.Spearman(x, up), 12);
        Assert.Equal(1, Correlation.KendallTauB(x, up), 12);
        Assert.Equal(-1, Correlation.Spearman(x, down), 12);
        Assert.Equal(-1, Correlation.KendallTauB(x, down), 12);
        Assert.True(Correlation.Pearson(x, up) < 1);   // monotone but not linear
    }

    [Fact]
    public void ConstantInputIsUndefined() => Assert.True(double.IsNaN(Correlation.Pearson([1, 1, 1], [1, 2, 3])));

    [Property(MaxTest = 40)]
    public bool CoefficientsLieInMinusOneToOne(double[] x)
    {
        var finite = x.Where(double.IsFinite).Select(v => Math.Clamp(v, -1e6, 1e6)).ToArray();
        var y = finite.Select((v, i) => v * (i % 3 - 1) + i).ToArray();
        foreach (double r in new[] { Correlation.Pearson(finite, y), Correlation.Spearman(finite, y), Correlation.KendallTauB(finite, y) })
            if (!double.IsNaN(r) && (r < -1 - 1e-12 || r > 1 + 1e-12)) return false;
        return true;
    }

    [Property(MaxTest = 20)]
    public bool RankCoefficientsIgnoreMonotoneTransforms(int seed)
    {
        var rng = new Random(seed);
        var x = Enumerable.Range(0, 8).Select(_ => rng.NextDouble()).ToArray();
        var y = Enumerable.Range(0, 8).Select(_ => rng.NextDouble()).ToArray();
        var expY = y.Select(Math.Exp).ToArray();
        return Math.Abs(Correlation.Spearman(x, y) - Correlation.Spearman(x, expY)) < 1e-12
            && Math.Abs(Correlation.KendallTauB(x, y) - Correlation.KendallTauB(x, expY)) < 1e-12;
    }
}
