using SelectBench.Analysis;

namespace SelectBench.Tests.Analysis;

public class ConfidentLearningTests
{
    [Fact]
    public void HandWorkedExample()
    {
        // Thresholds: t0 = mean(0.9, 0.8, 0.1) = 0.6, t1 = mean(0.9, 0.7) = 0.8, t2 = 0.8.
        // Sample 2 (labelled 0) is confident only in class 1 -> off-diagonal, flagged.
        // Sample 4 (labelled 1) reaches no threshold -> not counted.
        // Joint rows (given 0, 1, 2): [2 1 0], [0 1 0], [0 0 1]; calibrated to counts (3, 2, 1): row 1 -> [0 2 0].
        // Noise: 1 off-diagonal of 6 = 1/6; per class 1 - 2/3, 0, 0.
        float[] p =
        [
            0.9f, 0.05f, 0.05f,
            0.8f, 0.1f, 0.1f,
            0.1f, 0.8f, 0.1f,
            0.1f, 0.9f, 0.0f,
            0.2f, 0.7f, 0.1f,
            0.1f, 0.1f, 0.8f,
        ];
        var r = ConfidentLearning.FindLabelIssues(p, [0, 0, 0, 1, 1, 2], 3);
        Assert.Equal(0.6, r.Thresholds[0], 6);
        Assert.Equal(0.8, r.Thresholds[1], 6);
        Assert.Equal([2], r.Flagged);
        Assert.Equal(new long[,] { { 2, 1, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }, r.ConfidentJoint);
        Assert.Equal(2, r.CalibratedJoint[1, 1], 12);
        Assert.Equal(1.0 / 6, r.NoiseRate, 12);
        Assert.Equal(1.0 / 3, r.NoiseRatePerClass[0], 12);
        Assert.Equal(0, r.NoiseRatePerClass[1], 12);
        Assert.Equal([0, 0, 1, 1, -1, 2], r.EstimatedTrueLabels);
    }

    [Fact]
    public void SeveralConfidentClassesTakeTheArgmax()
    {
        // t0 = mean(0.4, 0.45) = 0.425, t1 = mean(0.5, 0.6) = 0.55. Sample 2 (labelled 0, p = (0.45, 0.55))
        // passes both thresholds, so cleanlab's rule takes its argmax, class 1.
        // Sample 0 passes only t1 -> 1; sample 1 passes only t0 -> 0; sample 3 passes only t1 -> 1.
        float[] p = [0.4f, 0.6f, 0.5f, 0.5f, 0.45f, 0.55f, 0.4f, 0.6f];
        var r = ConfidentLearning.FindLabelIssues(p, [0, 1, 0, 1], 2);
        Assert.Equal([1, 0, 1, 1], r.EstimatedTrueLabels);
        Assert.Equal([0, 1, 2], r.Flagged);
    }

    [Fact]
    public void CleanLabelsFlagNothing()
    {
        float[] p = [0.9f, 0.1f, 0.8f, 0.2f, 0.3f, 0.7f, 0.1f, 0.9f];
        var r = ConfidentLearning.FindLabelIssues(p, [0, 0, 1, 1], 2);
        Assert.Empty(r.Flagged);
        Assert.Equal(0, r.NoiseRate, 12);
    }
}
