using SelectBench.Common;

namespace SelectBench.Analysis;

/// <summary>A class another class's eval images are predicted as, with the share of that class's images.</summary>
public sealed record ConfusedClass(int Class, string Name, double Score);

/// <summary>
/// One row of the SELECT paper's per-class table. <c>Count</c>/<c>Frequency</c> describe the training
/// shift; the other columns come from the model's confusion matrix on an eval set (<c>EvalImages</c> of the
/// class). Undefined ratios (precision of a never-predicted class, anything of a class without eval
/// images, skewness of a constant row) are NaN.
/// </summary>
public sealed record PerClassRow(
    int Class,
    string Name,
    int Count,
    double Frequency,
    long EvalImages,
    double Accuracy,
    double Precision,
    double Recall,
    double BalancedAccuracy,
    int NonzeroConfusionColumns,
    IReadOnlyList<ConfusedClass> MostConfused,
    double ConfusionSkewness);

/// <summary>
/// Builds the per-class table of the SELECT paper (Feuer et al. 2024, section "Dataset analytics";
/// docs/metrics.md) from a confusion matrix (rows = true class, columns = predicted class) and the shift's class
/// counts. Definitions:
/// <list type="bullet">
/// <item>accuracy: share of the class's eval images predicted as the class, the usual per-class accuracy.
/// It equals recall by definition; the paper lists both columns and so does the table;</item>
/// <item>precision: C[i,i] / column sum i;</item>
/// <item>balanced accuracy (one-vs-rest): (TPR + TNR) / 2 with TNR = TN / (TN + FP) of "class i vs rest";</item>
/// <item>nonzero confusion columns: other classes (j != i) that received at least one image of class i;</item>
/// <item>normalised confusion scores: row i divided by its sum; most-confused classes: the largest
/// off-diagonal scores (ties by lower class index), zero scores omitted;</item>
/// <item>confusion skewness: Fisher-Pearson sample skewness g1 = m3 / m2^{3/2} (scipy.stats.skew, bias=True)
/// of the K - 1 off-diagonal normalised scores of the row: high when a class's errors concentrate on a
/// few look-alike classes, low when spread out.</item>
/// </list>
/// </summary>
public static class PerClassTable
{
    public const int DefaultMostConfused = 3;

    public static IReadOnlyList<PerClassRow> Build(long[,] confusion, IReadOnlyList<int> classCounts, IReadOnlyList<string> classNames, int mostConfused = DefaultMostConfused)
    {
        int k = confusion.GetLength(0);
        if (confusion.GetLength(1) != k) throw new BadInputException("confusion matrix", $"is {k} x {confusion.GetLength(1)}; it must be square (classes x classes).");
        if (classCounts.Count != k) throw new BadInputException("class counts", $"has {classCounts.Count} entries for a {k}-class confusion matrix.");
        if (classNames.Count != k) throw new BadInputException("class names", $"has {classNames.Count} entries for a {k}-class confusion matrix.");

        var rowSums = new long[k];
        var colSums = new long[k];
        long total = 0;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                if (confusion[i, j] < 0) throw new BadInputException("confusion matrix", $"entry ({i}, {j}) is negative.");
                rowSums[i] += confusion[i, j]; colSums[j] += confusion[i, j]; total += confusion[i, j];
            }
        long shiftImages = classCounts.Sum(c => (long)c);

        var rows = new PerClassRow[k];
        for (int i = 0; i < k; i++)
        {
            long tp = confusion[i, i], fn = rowSums[i] - tp, fp = colSums[i] - tp, tn = total - tp - fn - fp;
            double recall = rowSums[i] > 0 ? (double)tp / rowSums[i] : double.NaN;
            double precision = colSums[i] > 0 ? (double)tp / colSums[i] : double.NaN;
            double specificity = tn + fp > 0 ? (double)tn / (tn + fp) : double.NaN;

            var offDiagonal = new List<(int Class, double Score)>(k - 1);
            for (int j = 0; j < k; j++)
                if (j != i) offDiagonal.Add((j, rowSums[i] > 0 ? (double)confusion[i, j] / rowSums[i] : double.NaN));

            rows[i] = new PerClassRow(
                i, classNames[i], classCounts[i],
                shiftImages > 0 ? (double)classCounts[i] / shiftImages : double.NaN,
                rowSums[i], recall, precision, recall, (recall + specificity) / 2,
                offDiagonal.Count(o => o.Score > 0),
                offDiagonal.Where(o => o.Score > 0).OrderByDescending(o => o.Score).ThenBy(o => o.Class).Take(mostConfused)
                    .Select(o => new ConfusedClass(o.Class, classNames[o.Class], o.Score)).ToArray(),
                rowSums[i] > 0 ? Skewness(offDiagonal.Select(o => o.Score).ToArray()) : double.NaN);
        }
        return rows;
    }

    /// <summary>Biased sample skewness m3 / m2^{3/2}; NaN for fewer than 2 values or zero spread.</summary>
    public static double Skewness(IReadOnlyList<double> values)
    {
        int n = values.Count;
        if (n < 2) return double.NaN;
        double mean = values.Average(), m2 = 0, m3 = 0;
        foreach (double v in values) { double d = v - mean; m2 += d * d; m3 += d * d * d; }
        m2 /= n; m3 /= n;
        // A spread at round-off level is no spread (scipy also returns NaN for a constant input).
        if (m2 <= 1e-14 * Math.Max(1, mean * mean)) return double.NaN;
        return m3 / Math.Pow(m2, 1.5);
    }
}
