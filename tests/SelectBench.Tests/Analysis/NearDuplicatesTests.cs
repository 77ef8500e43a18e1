using SelectBench.Analysis;
using SelectBench.Encoders;
using SelectBench.Embedding;

namespace SelectBench.Tests.Analysis;

public class NearDuplicatesTests
{
    static Embeddings Rows(params float[][] rows) => new(rows.SelectMany(r => r).ToArray(), rows.Length, rows[0].Length);

    [Fact]
    public void ScaledCopyIsADuplicate()
    {
        var e = Rows([1, 0, 0], [2, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]);
        var r = NearDuplicates.Find(e, 0.95);
        Assert.Equal(1, r.Pairs);
        Assert.Equal([1], r.Dropped);
        Assert.Equal(0.2, r.DroppedFraction, 12);
    }

    [Fact]
    public void GreedyDropKeepsBothEndsOfAChain()
    {
        // Angles 0, 20 and 40 degrees; t = cos 25: a~b and b~c but not a~c. Keep a, drop b, keep c.
        float C(double deg) => (float)Math.Cos(deg * Math.PI / 180);
        float S(double deg) => (float)Math.Sin(deg * Math.PI / 180);
        var e = Rows([1, 0], [C(20), S(20)], [C(40), S(40)]);
        var r = NearDuplicates.Find(e, Math.Cos(25 * Math.PI / 180));
        Assert.Equal(2, r.Pairs);
        Assert.Equal([1], r.Dropped);
    }

    [Fact]
    public void LeakageFindsItemsCloseToTheEvalSet()
    {
        var set = Rows([1, 0, 0], [0, 1, 0], [0, 0, 1]);
        var eval = Rows([3, 0, 0], [0, 1, 1]);
        var r = NearDuplicates.FindLeakage(set, eval, 0.9);
        Assert.Equal([0], r.Leaked);
        Assert.Equal([0, 1, 1], r.NearestEvalItem);
        Assert.Equal(1, r.MaxSimilarity[0], 5);
        Assert.Equal(Math.Sqrt(0.5), r.MaxSimilarity[1], 5);
    }
}
