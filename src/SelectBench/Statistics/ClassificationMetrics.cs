using SelectBench.Common;

namespace SelectBench.Statistics;

/// <summary>All base-accuracy numbers of docs/metrics.md for one set of predictions.</summary>
public sealed record ClassificationReport(
    double Top1,
    double Top5,
    double BalancedAccuracy,
    double[] PerClassAccuracy,
    double[] PerClassPrecision,
    int[][] ConfusionMatrix,
    int Count);

/// <summary>
/// Classification metrics as pure functions of row-major probabilities (N rows of K classes) and integer
/// labels. No IO except the explicit <see cref="Export"/>. Ties between equal scores are broken towards the
/// lower class index everywhere, so top-1 and the argmax prediction always agree.
/// </summary>
public static class ClassificationMetrics
{
    public static ClassificationReport Compute(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, int classes)
    {
        var predictions = Predictions(probabilities, labels.Length, classes);
        var confusion = ConfusionMatrix(labels, predictions, classes);
        return new ClassificationReport(
            Top1: TopK(probabilities, labels, classes, 1),
            Top5: TopK(probabilities, labels, classes, Math.Min(5, classes)),
            BalancedAccuracy: BalancedAccuracy(confusion),
            PerClassAccuracy: PerClassAccuracy(confusion),
            PerClassPrecision: PerClassPrecision(confusion),
            ConfusionMatrix: confusion,
            Count: labels.Length);
    }

    /// <summary>Argmax per row (lowest index among equal maxima).</summary>
    public static int[] Predictions(ReadOnlySpan<float> probabilities, int count, int classes)
    {
        Check(probabilities.Length, count, classes);
        var predictions = new int[count];
        for (int i = 0; i < count; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            predictions[i] = best;
        }
        return predictions;
    }

    /// <summary>Share of rows whose label is among the k highest scores (ties: lower class index ranks first).</summary>
    public static double TopK(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, int classes, int k)
    {
        Check(probabilities.Length, labels.Length, classes);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), "k must be at least 1");
        if (labels.Length == 0) return double.NaN;
        int hits = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            int y = CheckLabel(labels[i], classes);
            float p = row[y];
            int rank = 0;
            for (int c = 0; c < classes && rank < k; c++)
                if (row[c] > p || (row[c] == p && c < y)) rank++;
            if (rank < k) hits++;
        }
        return (double)hits / labels.Length;
    }

    /// <summary>K x K counts: row = true class, column = predicted class.</summary>
    public static int[][] ConfusionMatrix(ReadOnlySpan<int> labels, ReadOnlySpan<int> predictions, int classes)
    {
        if (labels.Length != predictions.Length) throw new ArgumentException($"{labels.Length} labels but {predictions.Length} predictions");
        var m = new int[classes][];
        for (int c = 0; c < classes; c++) m[c] = new int[classes];
        for (int i = 0; i < labels.Length; i++) m[CheckLabel(labels[i], classes)][CheckLabel(predictions[i], classes)]++;
        return m;
    }

    /// <summary>Per-class accuracy = recall = diagonal / row sum; NaN for a class with no samples.</summary>
    public static double[] PerClassAccuracy(int[][] confusion)
    {
        var r = new double[confusion.Length];
        for (int c = 0; c < r.Length; c++)
        {
            long total = confusion[c].Sum(v => (long)v);
            r[c] = total == 0 ? double.NaN : (double)confusion[c][c] / total;
        }
        return r;
    }

    /// <summary>Precision = diagonal / column sum; NaN for a class never predicted.</summary>
    public static double[] PerClassPrecision(int[][] confusion)
    {
        var p = new double[confusion.Length];
        for (int c = 0; c < p.Length; c++)
        {
            long predicted = 0;
            for (int t = 0; t < confusion.Length; t++) predicted += confusion[t][c];
            p[c] = predicted == 0 ? double.NaN : (double)confusion[c][c] / predicted;
        }
        return p;
    }

    /// <summary>
    /// Mean per-class recall over the classes that have samples (scikit-learn's balanced_accuracy_score,
    /// which likewise leaves out classes absent from the labels). NaN when there are no samples.
    /// </summary>
    public static double BalancedAccuracy(int[][] confusion)
    {
        var recalls = PerClassAccuracy(confusion).Where(r => !double.IsNaN(r)).ToArray();
        return recalls.Length == 0 ? double.NaN : recalls.Average();
    }

    /// <summary>
    /// Writes <c>{prefix}_probabilities.npy</c> (N x K float32), <c>{prefix}_predictions.npy</c> and
    /// <c>{prefix}_labels.npy</c> (N int32) so anyone can recompute every metric with NumPy.
    /// </summary>
    public static void Export(string folder, string prefix, ReadOnlySpan<float> probabilities, ReadOnlySpan<int> labels, int classes)
    {
        Check(probabilities.Length, labels.Length, classes);
        Npy.Write(Path.Combine(folder, $"{prefix}_probabilities.npy"), probabilities, labels.Length, classes);
        Npy.Write(Path.Combine(folder, $"{prefix}_predictions.npy"), Predictions(probabilities, labels.Length, classes), labels.Length);
        Npy.Write(Path.Combine(folder, $"{prefix}_labels.npy"), labels, labels.Length);
    }

    private static void Check(int values, int count, int classes)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), "need at least one class");
        if (values != (long)count * classes)
            throw new ArgumentException($"{values} probabilities do not make {count} rows of {classes} classes");
    }

    private static int CheckLabel(int label, int classes) =>
        (uint)label < (uint)classes ? label : throw new ArgumentOutOfRangeException(nameof(label), $"label {label} is outside 0..{classes - 1}");
}
