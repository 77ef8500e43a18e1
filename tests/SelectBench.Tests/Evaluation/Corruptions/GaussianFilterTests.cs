using SelectBench.Evaluation.Corruptions;

namespace SelectBench.Tests.Evaluation.Corruptions;

public sealed class GaussianFilterTests
{
    [Fact]
    public void Border_modes_follow_scipy()
    {
        // n = 4, indices -2..5: reflect d c b a | a b c d | d c b a, mirror c b | a b c d | c b, nearest clamps.
        Assert.Equal(new[] { 1, 0, 0, 1, 2, 3, 3, 2 }, Enumerable.Range(-2, 8).Select(i => GaussianFilter.Extend(i, 4, BorderMode.Reflect)));
        Assert.Equal(new[] { 2, 1, 0, 1, 2, 3, 2, 1 }, Enumerable.Range(-2, 8).Select(i => GaussianFilter.Extend(i, 4, BorderMode.Mirror)));
        Assert.Equal(new[] { 0, 0, 0, 1, 2, 3, 3, 3 }, Enumerable.Range(-2, 8).Select(i => GaussianFilter.Extend(i, 4, BorderMode.Nearest)));
    }

    [Fact]
    public void Impulse_response_is_the_truncated_normalised_gaussian()
    {
        // sigma 1, truncate 4: radius int(4.5) = 4; weights exp(-k²/2) / sum over k = -4..4.
        var row = new float[11];
        row[5] = 1;
        GaussianFilter.Apply(row, 1, 11, 0, 1.0, BorderMode.Nearest);
        double sum = Enumerable.Range(-4, 9).Sum(k => Math.Exp(-0.5 * k * k));
        for (int k = -4; k <= 4; k++) Assert.Equal(Math.Exp(-0.5 * k * k) / sum, row[5 + k], 6);
        Assert.Equal(0, row[0]);
        Assert.Equal(4, GaussianFilter.Radius(1.0, 4.0));
        Assert.Equal(1, GaussianFilter.Radius(0.28, 3.0)); // elastic on 28 px: int(3 * 0.28 + 0.5)
    }
}
