using SelectBench.Analysis;

namespace SelectBench.Tests.Analysis;

public class PerClassTableTests
{
    // Rows = true class, columns = predicted; 25 eval images.
    static readonly long[,] Confusion = { { 8, 2, 0 }, { 1, 6, 3 }, { 0, 0, 5 } };
    static readonly string[] Names = ["cat", "dog, big", "eel"];

    [Fact]
    public void ColumnsByHand()
    {
        var rows = PerClassTable.Build(Confusion, [100, 60, 40], Names);
        var cat = rows[0];
        Assert.Equal(0.5, cat.Frequency, 12);
        Assert.Equal(10, cat.EvalImages);
        Assert.Equal(0.8, cat.Accuracy, 12);
        Assert.Equal(0.8, cat.Recall, 12);
        Assert.Equal(8.0 / 9, cat.Precision, 12);
        Assert.Equal((0.8 + 14.0 / 15) / 2, cat.BalancedAccuracy, 12);   // TN = 25 - 8 - 2 - 1 = 14, FP = 1
        Assert.Equal(1, cat.NonzeroConfusionColumns);
        Assert.Equal([new ConfusedClass(1, "dog, big", 0.2)], cat.MostConfused);

        var dog = rows[1];
        Assert.Equal(0.75, dog.Precision, 12);
        Assert.Equal((0.6 + 13.0 / 15) / 2, dog.BalancedAccuracy, 12);
        Assert.Equal(2, dog.NonzeroConfusionColumns);
        Assert.Equal([2, 0], dog.MostConfused.Select(c => c.Class));
        Assert.Equal(0.3, dog.MostConfused[0].Score, 12);

        var eel = rows[2];
        Assert.Equal(1, eel.Accuracy);
        Assert.Equal(5.0 / 8, eel.Precision, 12);
        Assert.Equal(0, eel.NonzeroConfusionColumns);
        Assert.Empty(eel.MostConfused);
        Assert.True(double.IsNaN(eel.ConfusionSkewness));   // no errors: constant zero row
    }

    [Fact]
    public void SkewnessIsTheBiasedFisherPearsonCoefficient()
    {
        // [0, 0, 0, 1]: m2 = 0.1875, m3 = 0.09375, g1 = 0.09375 / 0.1875^1.5 = 2 / sqrt(3).
        Assert.Equal(2 / Math.Sqrt(3), PerClassTable.Skewness([0, 0, 0, 1]), 12);
        Assert.Equal(0, PerClassTable.Skewness([0.1, 0.3]), 12);
    }

    [Fact]
    public void CsvQuotesNamesAndLeavesUndefinedCellsEmpty()
    {
        var rows = PerClassTable.Build(new long[,] { { 2, 0 }, { 1, 0 } }, [3, 1], ["a", "b,c"]);
        var lines = PerClassTableCsvWriter.Format(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(PerClassTableCsvWriter.Header, lines[0]);
        Assert.Equal("0,a,3,0.75,2,1,0.6666666666666666,1,0.5,0,,", lines[1]);
        // Class 1 is never predicted: precision empty; its one image went to "a".
        Assert.Equal("1,\"b,c\",1,0.25,1,0,,0,0.5,1,a:1,", lines[2]);
    }

    [Fact]
    public void PaperCorrelationsUseTheTableColumns()
    {
        var rows = PerClassTable.Build(Confusion, [100, 60, 40], Names);
        var result = PaperCorrelations.Compute(rows);
        Assert.Equal(["precision_vs_count", "accuracy_vs_confusion_skewness", "accuracy_vs_expert_accuracy", "precision_vs_recall", "count_vs_expert_count"],
            result.Select(r => r.Name));
        // precision (8/9, 3/4, 5/8) vs recall (0.8, 0.6, 1): Pearson -0.4734657, Spearman -0.5.
        var pr = result[3];
        Assert.Equal(-0.47346567108652865, pr.Pearson, 10);
        Assert.Equal(-0.5, pr.Spearman, 12);
        Assert.Equal(3, pr.N);
        Assert.Equal(0, result[2].N);
        Assert.True(double.IsNaN(result[2].Pearson));
        // Skewness is NaN for "eel" (no errors), so that correlation uses 2 classes.
        Assert.Equal(2, result[1].N);
        var withExpert = PaperCorrelations.Compute(rows, PerClassTable.Build(Confusion, [10, 20, 30], Names));
        Assert.Equal(1, withExpert[2].Pearson, 12);
        Assert.Equal(-1, withExpert[4].Spearman, 12);
    }
}
