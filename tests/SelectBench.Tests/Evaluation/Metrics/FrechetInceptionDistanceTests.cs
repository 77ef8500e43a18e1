using FsCheck.Xunit;
using SelectBench.Evaluation.Metrics;

namespace SelectBench.Tests.Evaluation.Metrics;

public class FrechetInceptionDistanceTests
{
    [Fact]
    public void IdentityCovariancesLeaveTheSquaredMeanDistance() =>
        Assert.Equal(5, FrechetInceptionDistance.FrechetDistance([0, 0], [1, 0, 0, 1], [1, 2], [1, 0, 0, 1]), 10);

    [Fact]
    public void DiagonalCovariancesGiveSquaredDifferencesOfStandardDeviations() =>
        // sum_i (sqrt(a_i) - sqrt(b_i))^2 = (2 - 1)^2 + (3 - 1)^2 = 5.
        Assert.Equal(5, FrechetInceptionDistance.FrechetDistance([3, 3], [4, 0, 0, 9], [3, 3], [1, 0, 0, 1]), 10);

    [Fact]
    public void CorrelatedCovarianceAgainstIdentity()
    {
        // S1 = [[2,1],[1,2]] has eigenvalues 3 and 1, so tr(S1^{1/2}) = sqrt(3) + 1 and
        // d^2 = tr(S1) + tr(I) - 2 tr(S1^{1/2}) = 4 + 2 - 2 (sqrt(3) + 1) = 4 - 2 sqrt(3).
        double d2 = FrechetInceptionDistance.FrechetDistance([0, 0], [2, 1, 1, 2], [0, 0], [1, 0, 0, 1]);
        Assert.Equal(4 - 2 * Math.Sqrt(3), d2, 10);
    }

    [Fact]
    public void SetAgainstItselfIsZero()
    {
        var x = TestEmbeddings.Gaussian(300, 16, seed: 1);
        Assert.Equal(0, FrechetInceptionDistance.Compute(x, x), 6);
    }

    [Fact]
    public void ShiftedGaussiansGiveTheSquaredShift()
    {
        double[] mu = [1, 1, 0, 0];
        var a = TestEmbeddings.Gaussian(4000, 4, seed: 2);
        var b = TestEmbeddings.Gaussian(4000, 4, seed: 3, mean: mu);
        Assert.InRange(FrechetInceptionDistance.Compute(a, b), 2 - 0.15, 2 + 0.15);
    }

    [Fact]
    public void CovarianceUsesTheUnbiasedDivisor()
    {
        var fit = FrechetInceptionDistance.Fit(TestEmbeddings.Rows([0f], [2f]));
        Assert.Equal(1, fit.Mean[0], 12);
        Assert.Equal(2, fit.Covariance[0], 12);   // ((0-1)^2 + (2-1)^2) / (2 - 1)
    }

    [Property(MaxTest = 10)]
    public bool FidOfAnySetAgainstItselfIsZeroAndRowOrderDoesNotMatter(int seed)
    {
        var rng = new Random(seed);
        var x = TestEmbeddings.Gaussian(20 + rng.Next(30), 1 + rng.Next(6), seed);
        var rows = Enumerable.Range(0, x.Count).Select(i => x.Row(i).ToArray()).OrderBy(_ => rng.Next()).ToArray();
        var shuffled = TestEmbeddings.Rows(rows);
        var other = TestEmbeddings.Gaussian(25, x.Dimension, seed + 1, std: 2);
        return Math.Abs(FrechetInceptionDistance.Compute(x, x)) < 1e-6
            && Math.Abs(FrechetInceptionDistance.Compute(x, other) - FrechetInceptionDistance.Compute(shuffled, other)) < 1e-6;
    }
}
