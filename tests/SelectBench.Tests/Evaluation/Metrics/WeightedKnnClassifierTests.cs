using FsCheck.Xunit;
using SelectBench.Encoders;
using SelectBench.Evaluation.Metrics;
using SelectBench.Embedding;

namespace SelectBench.Tests.Evaluation.Metrics;

public class WeightedKnnClassifierTests
{
    static (Embeddings Features, int[] Labels) Clusters(int[] perClass, int dimension, int seed)
    {
        var rng = new Random(seed);
        var rows = new List<float[]>();
        var labels = new List<int>();
        for (int c = 0; c < perClass.Length; c++)
            for (int i = 0; i < perClass[c]; i++)
            {
                var r = new float[dimension];
                for (int j = 0; j < dimension; j++) r[j] = (float)(0.05 * TestEmbeddings.Normal(rng));
                r[c] += 1;   // cluster c sits around the c-th axis
                rows.Add(r);
                labels.Add(c);
            }
        return (TestEmbeddings.Rows(rows.ToArray()), labels.ToArray());
    }

    [Fact]
    public void SeparableClustersScoreOne()
    {
        var (train, trainLabels) = Clusters([30, 30, 30, 30, 30, 30], 8, seed: 1);
        var (test, testLabels) = Clusters([10, 10, 10, 10, 10, 10], 8, seed: 2);
        var bank = WeightedKnnClassifier.BuildMemoryBank(train, trainLabels, classCount: 6, imagesPerClass: 10, seed: 0);
        var results = new WeightedKnnClassifier(bank).Evaluate(test, testLabels, KnnSettings.DefaultKs);
        Assert.Equal(4, results.Count);
        // k = 10 reaches only the own class; larger k adds other classes' votes, but exp(sim/0.07)
        // makes the near cluster dominate.
        Assert.All(results, r => Assert.Equal(1.0, r.Top1));
        Assert.All(results, r => Assert.Equal(1.0, r.Top5));
        Assert.Equal(60, results[^1].EffectiveK);   // k = 200 clipped to the 6 x 10 bank
    }

    [Fact]
    public void DeficitsAreFilledToExactlyNPerClass()
    {
        var (train, labels) = Clusters([15, 3, 0], 4, seed: 3);
        var bank = WeightedKnnClassifier.BuildMemoryBank(train, labels, classCount: 3, imagesPerClass: 10, seed: 0);
        Assert.Equal(30, bank.Count);
        Assert.Equal([10, 10, 10], bank.Labels.GroupBy(l => l).Select(g => g.Count()).ToArray());
        Assert.Equal([10, 3, 0], bank.RealPerClass);
        Assert.Equal([0, 7, 10], bank.SyntheticPerClass);
        for (int i = 0; i < bank.Count; i++)
        {
            double norm = Math.Sqrt(bank.Features.AsSpan(i * 4, 4).ToArray().Sum(v => (double)v * v));
            Assert.Equal(1, norm, 5);
        }
        // Filled class-1 rows stay near their class (axis 1); empty class 2 sits opposite the data.
        for (int r = 13; r < 20; r++) Assert.True(bank.Features[r * 4 + 1] > 0.7f);
        for (int r = 20; r < 30; r++) Assert.True(bank.Features[r * 4 + 0] < 0 && bank.Features[r * 4 + 1] < 0);
    }

    [Fact]
    public void VotesAreWeightedBySimilarity()
    {
        // Query (1, 0). One class-0 row at similarity 1 against two class-1 rows at similarity 0.9:
        // exp(1/0.07) = 1.6e6 beats 2 exp(0.9/0.07) = 7.7e5, so class 0 wins although class 1 has more votes.
        float s = (float)Math.Sqrt(1 - 0.81);
        var bank = new KnnMemoryBank([1f, 0f, 0.9f, s, 0.9f, -s], [0, 1, 1], 2, 2, [1, 2], [0, 0]);
        var query = TestEmbeddings.Rows([1f, 0f]);
        var result = new WeightedKnnClassifier(bank).Evaluate(query, [0], [3]);
        Assert.Equal(1.0, result[0].Top1);
        var hot = new WeightedKnnClassifier(bank, temperature: 1).Evaluate(query, [0], [3]);
        Assert.Equal(0.0, hot[0].Top1);   // at T = 1: e^1 = 2.72 < 2 e^0.9 = 4.92
    }

    [Property(MaxTest = 10)]
    public bool AccuraciesLieInTheUnitIntervalAndTopFiveIsAtLeastTopOne(int seed)
    {
        var rng = new Random(seed);
        int classes = 2 + rng.Next(6);
        var train = TestEmbeddings.Gaussian(40, 5, seed);
        var labels = Enumerable.Range(0, 40).Select(_ => rng.Next(classes)).ToArray();
        var test = TestEmbeddings.Gaussian(15, 5, seed + 1);
        var testLabels = Enumerable.Range(0, 15).Select(_ => rng.Next(classes)).ToArray();
        var bank = WeightedKnnClassifier.BuildMemoryBank(train, labels, classes, 1 + rng.Next(8), seed);
        return new WeightedKnnClassifier(bank).Evaluate(test, testLabels, KnnSettings.DefaultKs)
            .All(r => r.Top1 >= 0 && r.Top1 <= 1 && r.Top5 >= r.Top1 && r.Top5 <= 1);
    }
}
