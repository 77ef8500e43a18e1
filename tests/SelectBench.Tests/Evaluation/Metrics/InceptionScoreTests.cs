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
    public void ClassSortedConfidentPredictionsScoreTheirDiversityNotTheirStorage()
    {
        // 40 one-hot predictions stored class by class (10 per class). Split in stored order, every part
        // holds one class and scores 1. Shuffled as torch-fidelity does, the parts mix classes. Expected:
        // torch-fidelity's isc_features_to_metric (RandomState(2020) permutation, 10 splits) on the rows in
        // canonical order, computed with numpy by scripts/corruption-reference/inception_score_reference.py.
        const int classes = 4, count = 40;
        var p = new float[count * classes];
        for (int i = 0; i < count; i++) p[i * classes + i / 10] = 1;
        var result = InceptionScore.Compute(p, count, classes);
        Assert.Equal(2.5725328099080462, result.Mean, 12);
        Assert.Equal(0.7681113757225652, result.Std, 12);
    }

    [Fact]
    public void MatchesTorchFidelityOnSoftPredictions()
    {
        // p_ic = w_ic / sum_c w_ic with small integer weights (exact in float32 on both sides); expected
        // values from the same script.
        const int count = 200, classes = 5;
        var p = new float[count * classes];
        for (int i = 0; i < count; i++)
        {
            var w = Enumerable.Range(0, classes).Select(c => (float)(1 + (i * 7 + c * 3 + i / 40 * c) % 5)).ToArray();
            float sum = w.Sum();
            for (int c = 0; c < classes; c++) p[i * classes + c] = w[c] / sum;
        }
        var result = InceptionScore.Compute(p, count, classes);
        Assert.Equal(1.0966607105983321, result.Mean, 12);
        Assert.Equal(0.012309898463861544, result.Std, 12);
    }

    [Fact]
    public void PermutingTheImagesLeavesTheScoreUnchanged()
    {
        // The split order is a fixed shuffle of a canonical sort of the rows, so any input order gives the
        // same parts with the same rows in the same order: the result is bit-identical.
        const int count = 503, classes = 7;
        var rng = new Random(5);
        var p = new float[count * classes];
        for (int i = 0; i < count; i++)
        {
            var logits = Enumerable.Range(0, classes).Select(c => (c == i % classes ? 3.0 : 0.0) + rng.NextDouble()).ToArray();
            double z = logits.Sum(Math.Exp);
            for (int c = 0; c < classes; c++) p[i * classes + c] = (float)(Math.Exp(logits[c]) / z);
        }
        var reference = InceptionScore.Compute(p, count, classes);
        for (int trial = 0; trial < 3; trial++)
        {
            int[] perm = Enumerable.Range(0, count).OrderBy(_ => rng.Next()).ToArray();
            var shuffled = new float[p.Length];
            for (int i = 0; i < count; i++) Array.Copy(p, perm[i] * classes, shuffled, i * classes, classes);
            var again = InceptionScore.Compute(shuffled, count, classes);
            Assert.Equal(reference.Mean, again.Mean);
            Assert.Equal(reference.Std, again.Std);
        }
    }

    [Fact]
    public void ShuffleIsNumpysLegacyPermutationWithSeed2020()
    {
        // numpy 1.24: np.random.RandomState(2020).permutation(n) for n = 7, 10, 1000, 70000.
        Assert.Equal([5, 4, 1, 2, 3, 6, 0], InceptionScoreShuffle.NumpyLegacyPermutation(7, 2020));
        Assert.Equal([2, 4, 9, 1, 5, 7, 6, 3, 8, 0], InceptionScoreShuffle.NumpyLegacyPermutation(10, 2020));
        int[] thousand = InceptionScoreShuffle.NumpyLegacyPermutation(1000, 2020);
        Assert.Equal([725, 986, 815, 656, 469, 76, 668, 286, 904, 284, 816, 949], thousand[..12]);
        Assert.Equal([91, 707, 630, 323, 392, 864], thousand[^6..]);
        Assert.Equal(249638382L, thousand.Select((v, i) => (long)v * i).Sum());
        Assert.Equal([29755, 22946, 54743, 4856, 30674, 47057, 7592, 37607], InceptionScoreShuffle.NumpyLegacyPermutation(70000, 2020)[..8]);
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
