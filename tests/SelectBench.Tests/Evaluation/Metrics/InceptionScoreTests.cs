using SelectBench.Evaluation.Metrics;

namespace SelectBench.Tests.Evaluation.Metrics;

public class InceptionScoreTests
{
    [Fact]
    public void UniformPredictionsScoreOne()
    {
        var p = Enumerable.Repeat(0.25f, 40 * 4).ToArray();
        var result = InceptionScore.Compute(p, 40, 4);
        Assert.Equal(1, result.Mean, 6);
        Assert.Equal(0, result.Std, 6);
    }

    [Fact]
    public void ConfidentPredictionsSpreadOverKClassesScoreK()
    {
        const int classes = 4, count = 40;   // each of the 10 splits holds one image of every class
        var p = new float[count * classes];
        for (int i = 0; i < count; i++) p[i * classes + i % classes] = 1;
        var result = InceptionScore.Compute(p, count, classes);
        Assert.Equal(classes, result.Mean, 6);
        Assert.Equal(0, result.Std, 6);
    }

    [Fact]
    public void HandComputedTwoImageSplit()
    {
        // Images (1, 0) and (1/2, 1/2): p(y) = (3/4, 1/4).
        // KL1 = log(4/3); KL2 = 1/2 log(2/3) + 1/2 log(2); IS = exp((KL1 + KL2) / 2).
        var result = InceptionScore.Compute([1f, 0f, 0.5f, 0.5f], 2, 2, splits: 1);
        double expected = Math.Exp((Math.Log(4.0 / 3) + 0.5 * Math.Log(2.0 / 3) + 0.5 * Math.Log(2)) / 2);
        Assert.Equal(expected, result.Mean, 6);
    }
}
