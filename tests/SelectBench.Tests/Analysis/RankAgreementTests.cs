using SelectBench.Analysis;
using SelectBench.Statistics;

namespace SelectBench.Tests.Analysis;

public class RankAgreementTests
{
    [Fact]
    public void AgreementMatrixAcrossShifts()
    {
        // Four shifts; accuracy and kNN order them alike, FID in reverse, the last metric is missing for one shift.
        double[][] values =
        [
            [0.9, 0.8, 5.0, 1.0],
            [0.7, 0.6, 9.0, double.NaN],
            [0.5, 0.3, 12.0, 3.0],
            [0.2, 0.1, 30.0, 2.0],
        ];
        var m = RankAgreement.Compute(["top1", "knn", "fid", "other"], values);
        Assert.Equal(1, m.Kendall[0, 1], 12);
        Assert.Equal(1, m.Spearman[1, 0], 12);
        Assert.Equal(-1, m.Kendall[0, 2], 12);
        Assert.Equal(-1, m.Spearman[2, 0], 12);
        Assert.Equal(1, m.Kendall[3, 3], 12);
        // top1 vs other over shifts 0, 2, 3: (0.9, 1), (0.5, 3), (0.2, 2): P = 1, Q = 2 -> tau = -1/3.
        Assert.Equal(-1.0 / 3, m.Kendall[0, 3], 12);
        Assert.Equal(-0.5, m.Spearman[0, 3], 12);
        Assert.Equal(4, m.Shifts);
    }
}
