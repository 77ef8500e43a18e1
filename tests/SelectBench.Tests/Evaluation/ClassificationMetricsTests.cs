using SelectBench.Common;
using SelectBench.Evaluation;
using SelectBench.Statistics;

namespace SelectBench.Tests.Evaluation;

public sealed class ClassificationMetricsTests
{
    // Three classes, four samples. Row argmax: 0, 2, 1, 0 (row 3 ties 0 and 2 -> lower index 0).
    private static readonly float[] Probabilities =
    [
        0.7f, 0.2f, 0.1f,
        0.1f, 0.3f, 0.6f,
        0.2f, 0.5f, 0.3f,
        0.4f, 0.2f, 0.4f,
    ];
    private static readonly int[] Labels = [0, 1, 1, 2];

    [Fact]
    public void Top1_top2_and_predictions_by_hand()
    {
        Assert.Equal([0, 2, 1, 0], ClassificationMetrics.Predictions(Probabilities, 4, 3));
        Assert.Equal(0.5, ClassificationMetrics.TopK(Probabilities, Labels, 3, 1));
        // Top-2: sample 1 (label 1 is second), sample 3 (label 2 ties with 0 and ranks second): all four.
        Assert.Equal(1.0, ClassificationMetrics.TopK(Probabilities, Labels, 3, 2));
    }

    [Fact]
    public void Confusion_recall_precision_and_balanced_accuracy_by_hand()
    {
        var report = ClassificationMetrics.Compute(Probabilities, Labels, 3);
        Assert.Equal([[1, 0, 0], [0, 1, 1], [1, 0, 0]], report.ConfusionMatrix);
        Assert.Equal([1.0, 0.5, 0.0], report.PerClassAccuracy);
        Assert.Equal([0.5, 1.0, 0.0], report.PerClassPrecision);
        Assert.Equal(0.5, report.BalancedAccuracy, 12);
        Assert.Equal(1.0, report.Top5);
    }

    [Fact]
    public void Absent_classes_are_NaN_and_left_out_of_balanced_accuracy()
    {
        var confusion = ClassificationMetrics.ConfusionMatrix([0, 0, 1], [0, 1, 1], 3);
        Assert.True(double.IsNaN(ClassificationMetrics.PerClassAccuracy(confusion)[2]));
        Assert.True(double.IsNaN(ClassificationMetrics.PerClassPrecision(confusion)[2]));
        Assert.Equal((0.5 + 1.0) / 2, ClassificationMetrics.BalancedAccuracy(confusion), 12);
    }

    [Fact]
    public void Export_writes_npy_files_that_read_back()
    {
        var dir = Directory.CreateTempSubdirectory("sb-metrics").FullName;
        ClassificationMetrics.Export(dir, "test", Probabilities, Labels, 3);
        var (data, shape) = Npy.ReadFloat32(Path.Combine(dir, "test_probabilities.npy"));
        Assert.Equal([4, 3], shape);
        Assert.Equal(Probabilities, data);
        Assert.True(File.Exists(Path.Combine(dir, "test_predictions.npy")));
        Assert.True(File.Exists(Path.Combine(dir, "test_labels.npy")));
    }

    [Fact]
    public void Mismatched_sizes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.TopK(Probabilities, [0, 1], 3, 1));
    }
}
