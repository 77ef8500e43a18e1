using SelectBench.Evaluation.Metrics;

namespace SelectBench.Tests.Evaluation.Metrics;

public class VendiScoreTests
{
    [Fact]
    public void IdenticalItemsScoreOne() =>
        Assert.Equal(1, VendiScore.Compute(TestEmbeddings.Rows([1f, 2f, 3f], [2f, 4f, 6f], [0.5f, 1f, 1.5f], [1f, 2f, 3f])), 6);

    [Fact]
    public void OrthogonalItemsScoreTheirCount()
    {
        var rows = Enumerable.Range(0, 5).Select(i => { var r = new float[8]; r[i] = 3; return r; }).ToArray();
        Assert.Equal(5, VendiScore.Compute(TestEmbeddings.Rows(rows)), 6);
    }

    [Fact]
    public void TwoClustersOfCopiesScoreTwoThroughTheDualKernel()
    {
        // n = 6 > d = 2 uses X^T X / n; eigenvalues 1/2 and 1/2 -> exp(log 2) = 2.
        var x = TestEmbeddings.Rows([1f, 0f], [1f, 0f], [1f, 0f], [0f, 1f], [0f, 1f], [0f, 1f]);
        Assert.Equal(2, VendiScore.Compute(x), 6);
    }
}
