using SelectBench.Statistics;

namespace SelectBench.Analysis;

/// <summary>One correlation between two per-class columns; N counts the classes where both are defined.</summary>
public sealed record ColumnCorrelation(string Name, string X, string Y, double Pearson, double Spearman, int N);

/// <summary>
/// The five per-class correlations of the SELECT paper (Feuer et al. 2024, section "Dataset analytics";
/// docs/metrics.md): precision vs count, accuracy vs confusion skewness, accuracy vs the expert model's
/// accuracy, precision vs recall, count vs expert count. Classes where either column is NaN are left out
/// of that correlation. Without an expert table the two expert correlations are NaN with N = 0.
/// </summary>
public static class PaperCorrelations
{
    public static IReadOnlyList<ColumnCorrelation> Compute(IReadOnlyList<PerClassRow> shift, IReadOnlyList<PerClassRow>? expert = null)
    {
        if (expert is not null && expert.Count != shift.Count)
            throw new ArgumentException($"The expert table has {expert.Count} classes, the shift's {shift.Count}; both must use one label set.");
        var count = shift.Select(r => (double)r.Count).ToArray();
        var precision = shift.Select(r => r.Precision).ToArray();
        var recall = shift.Select(r => r.Recall).ToArray();
        var accuracy = shift.Select(r => r.Accuracy).ToArray();
        var skewness = shift.Select(r => r.ConfusionSkewness).ToArray();
        var expertAccuracy = expert?.Select(r => r.Accuracy).ToArray();
        var expertCount = expert?.Select(r => (double)r.Count).ToArray();
        return
        [
            Correlate("precision_vs_count", "precision", "count", precision, count),
            Correlate("accuracy_vs_confusion_skewness", "accuracy", "confusion_skewness", accuracy, skewness),
            Correlate("accuracy_vs_expert_accuracy", "accuracy", "expert_accuracy", accuracy, expertAccuracy),
            Correlate("precision_vs_recall", "precision", "recall", precision, recall),
            Correlate("count_vs_expert_count", "count", "expert_count", count, expertCount),
        ];
    }

    static ColumnCorrelation Correlate(string name, string xName, string yName, double[] x, double[]? y)
    {
        if (y is null) return new ColumnCorrelation(name, xName, yName, double.NaN, double.NaN, 0);
        var (fx, fy) = Correlation.FinitePairs(x, y);
        return new ColumnCorrelation(name, xName, yName, Correlation.Pearson(fx, fy), Correlation.Spearman(fx, fy), fx.Length);
    }
}
