using SelectBench.Analysis;

namespace SelectBench.Tests.Analysis;

public class ExpertEquivalentSizeTests
{
    [Fact]
    public void ExactLogCurveIsRecoveredAndInverted()
    {
        // acc = 0.1 + 0.1 ln(n): at n = 250, 500, 1000, 2000.
        double[] sizes = [250, 500, 1000, 2000];
        var accs = sizes.Select(n => 0.1 + 0.1 * Math.Log(n)).ToArray();
        var fit = ExpertEquivalentSize.Fit(sizes, accs);
        Assert.Equal(0.1, fit.Intercept, 9);
        Assert.Equal(0.1, fit.Slope, 9);
        // A shift scoring what 700 expert images give is worth 700 expert images.
        var est = ExpertEquivalentSize.Estimate(sizes, accs, [0.1 + 0.1 * Math.Log(700)]);
        Assert.Equal(700, est.Images, 6);
        Assert.False(est.Extrapolated);
        Assert.InRange(700, est.Low - 1e-6, est.High + 1e-6);
    }

    [Fact]
    public void NoisySeedsGiveAnIntervalAroundTheEstimate()
    {
        var rng = new Random(1);
        var sizes = new List<double>();
        var accs = new List<double>();
        foreach (var n in new[] { 250.0, 500, 1000, 2000 })
            for (int seed = 0; seed < 3; seed++) { sizes.Add(n); accs.Add(0.2 + 0.08 * Math.Log(n) + (rng.NextDouble() - 0.5) * 0.01); }
        var est = ExpertEquivalentSize.Estimate(sizes, accs, [0.2 + 0.08 * Math.Log(400) + 0.002, 0.2 + 0.08 * Math.Log(400) - 0.002]);
        Assert.True(est.Low < est.Images && est.Images < est.High);
        Assert.InRange(est.Images, 330, 480);
        // Beyond the largest fitted size the estimate is flagged as extrapolated.
        Assert.True(ExpertEquivalentSize.Estimate(sizes, accs, [0.2 + 0.08 * Math.Log(8000)]).Extrapolated);
    }

    [Fact]
    public void FlatCurveHasNoExchangeRate()
    {
        var fit = ExpertEquivalentSize.Fit([100, 200], [0.5, 0.4]);
        Assert.True(double.IsNaN(fit.Invert(0.45)));
    }
}

public class CostUtilityTests
{
    [Fact]
    public void ParetoFrontierKeepsOnlyUndominatedShifts()
    {
        // (cost, utility): a(1, .2) b(2, .5) c(3, .4) d(5, .9) e(5, .8)
        double[] cost = [1, 2, 3, 5, 5];
        double[] util = [0.2, 0.5, 0.4, 0.9, 0.8];
        Assert.Equal([0, 1, 3], CostUtility.ParetoFrontier(cost, util));
        Assert.Equal(0.25, CostUtility.UtilityPerCost(0.5, 2));
        Assert.Equal(double.PositiveInfinity, CostUtility.UtilityPerCost(0.5, 0));
    }
}
