using SelectBench.Common;

namespace SelectBench.Analysis;

/// <summary>
/// Result of confident learning. <c>ConfidentJoint</c> and <c>CalibratedJoint</c> are K x K, rows = given
/// label, columns = estimated true label. <c>NoiseRatePerClass[j]</c> is the estimated share of the samples
/// labelled j whose true class differs; <c>Flagged</c> holds the indices of likely label errors, ascending.
/// </summary>
public sealed record LabelIssueReport(
    double[] Thresholds,
    long[,] ConfidentJoint,
    double[,] CalibratedJoint,
    double NoiseRate,
    double[] NoiseRatePerClass,
    int[] Flagged,
    int[] EstimatedTrueLabels);

/// <summary>
/// Confident learning (Northcutt, Jiang and Chuang 2021, "Confident Learning: Estimating Uncertainty in
/// Dataset Labels", JAIR 70, arXiv 1911.00068), following cleanlab
/// (https://github.com/cleanlab/cleanlab, cleanlab/count.py: get_confident_thresholds,
/// compute_confident_joint, calibrate_confident_joint; cleanlab/filter.py, find_label_issues):
/// <list type="number">
/// <item>per-class threshold t_j = mean predicted probability of class j over samples labelled j
/// (a class nobody is labelled with gets threshold 2, so no sample is ever confident in it, as in cleanlab);</item>
/// <item>sample i is confident in class j when p_ij &gt;= t_j - 1e-6; with one such class that class is its
/// estimated true label, with several the argmax of p_i (cleanlab's rule); samples confident in no class
/// are not counted;</item>
/// <item>confident joint C[given, estimated true] counts the counted samples; its diagonal is raised to at
/// least 1; calibration scales each row to the given-label count, then the whole matrix to N;</item>
/// <item>flagged samples: the counted samples whose estimated true label differs from the given one, i.e.
/// the off-diagonal members of the confident joint (cleanlab's filter_by="confident_learning"; chosen
/// over the default "prune_by_noise_rate" because it needs no ranking and is exactly the joint shown);</item>
/// <item>estimated noise rate: the off-diagonal mass of the calibrated joint over N, and per given class
/// 1 - calibrated C[j, j] / (samples labelled j).</item>
/// </list>
/// Probabilities must be out-of-sample (cross-validated or from a model that never saw the sample).
/// </summary>
public static class ConfidentLearning
{
    /// <summary>cleanlab's FLOATING_POINT_COMPARISON and the threshold of classes without labels.</summary>
    const double Tolerance = 1e-6, UnlabelledClassThreshold = 2;
    /// <summary>cleanlab's CONFIDENT_THRESHOLDS_LOWER_BOUND: thresholds are clipped from below to 2e-6.</summary>
    const double ThresholdFloor = 2 * Tolerance;

    public static LabelIssueReport FindLabelIssues(float[] probabilities, int[] labels, int classCount)
    {
        int n = labels.Length;
        if (n == 0) throw new BadInputException("labels", "are empty; confident learning needs a non-empty shift.");
        if (classCount < 2 || probabilities.Length != (long)n * classCount)
            throw new BadInputException("predicted probabilities", $"hold {probabilities.Length} values for {n} samples x {classCount} classes.");
        for (int i = 0; i < probabilities.Length; i++)
            if (!float.IsFinite(probabilities[i])) throw new BadInputException("predicted probabilities", $"sample {i / classCount} has a non-finite probability.");

        var labelCounts = new long[classCount];
        var thresholds = new double[classCount];
        for (int i = 0; i < n; i++)
        {
            if (labels[i] < 0 || labels[i] >= classCount) throw new BadInputException($"label of sample {i}", $"is {labels[i]}, outside 0..{classCount - 1}.");
            labelCounts[labels[i]]++;
            thresholds[labels[i]] += probabilities[i * classCount + labels[i]];
        }
        for (int j = 0; j < classCount; j++)
            thresholds[j] = labelCounts[j] > 0 ? Math.Max(thresholds[j] / labelCounts[j], ThresholdFloor) : UnlabelledClassThreshold;

        var joint = new long[classCount, classCount];
        var guesses = new int[n];
        var flagged = new List<int>();
        for (int i = 0; i < n; i++)
        {
            var p = probabilities.AsSpan(i * classCount, classCount);
            int confident = 0, firstConfident = -1, argmax = 0;
            for (int j = 0; j < classCount; j++)
            {
                if (p[j] >= thresholds[j] - Tolerance) { confident++; if (firstConfident < 0) firstConfident = j; }
                if (p[j] > p[argmax]) argmax = j;
            }
            if (confident == 0) { guesses[i] = -1; continue; }
            int guess = confident == 1 ? firstConfident : argmax;
            guesses[i] = guess;
            joint[labels[i], guess]++;
            if (guess != labels[i]) flagged.Add(i);
        }
        for (int j = 0; j < classCount; j++) joint[j, j] = Math.Max(joint[j, j], 1);

        var calibrated = Calibrate(joint, labelCounts, n);
        double offDiagonal = 0;
        var perClass = new double[classCount];
        for (int j = 0; j < classCount; j++)
        {
            for (int t = 0; t < classCount; t++) if (t != j) offDiagonal += calibrated[j, t];
            perClass[j] = labelCounts[j] > 0 ? 1 - calibrated[j, j] / labelCounts[j] : double.NaN;
        }
        return new LabelIssueReport(thresholds, joint, calibrated, offDiagonal / n, perClass, flagged.ToArray(), guesses);
    }

    /// <summary>
    /// cleanlab's <c>find_label_issues(labels, pred_probs, filter_by="prune_by_noise_rate")</c> with its defaults
    /// (frac_noise 1, min_examples_per_class 1), following cleanlab/filter.py:
    /// <list type="number">
    /// <item>the calibrated confident joint of <see cref="FindLabelIssues"/>, rounded row by row so each row keeps
    /// its total (cleanlab's round_preserving_row_totals; numpy rounds halves to even, as Math.Round does);</item>
    /// <item>the prune-count matrix is its transpose (rows = estimated true class, columns = given label), with each
    /// diagonal entry raised to at least 1 and the raise taken evenly from the column's non-zero off-diagonal
    /// entries, then rounded again (_keep_at_least_n_per_class);</item>
    /// <item>for each given label k and true class j != k, the prune count [j, k] samples labelled k with the
    /// largest margin p_j - p_k are flagged (ties at the cut are all flagged, as numpy's <c>margin &gt;= cut</c>
    /// does; _prune_by_count);</item>
    /// <item>a flagged sample whose argmax prediction equals its given label is unflagged.</item>
    /// </list>
    /// Returns the flagged indices, ascending.
    /// </summary>
    public static int[] PruneByNoiseRate(float[] probabilities, int[] labels, int classCount)
    {
        var report = FindLabelIssues(probabilities, labels, classCount);
        int k = classCount, n = labels.Length;
        var joint = RoundPreservingRowTotals(report.CalibratedJoint);
        // prune_count_matrix = confident_joint.T
        var prune = new double[k, k];
        for (int j = 0; j < k; j++)
            for (int t = 0; t < k; t++) prune[t, j] = joint[j, t];
        var pruneCounts = KeepAtLeastOnePerClass(prune);

        var flagged = new bool[n];
        var margins = new List<double>();
        for (int given = 0; given < k; given++)
            for (int truth = 0; truth < k; truth++)
            {
                long count = pruneCounts[truth, given];
                if (truth == given || count <= 0) continue;
                margins.Clear();
                for (int i = 0; i < n; i++)
                    if (labels[i] == given) margins.Add((double)probabilities[i * k + truth] - probabilities[i * k + given]);
                if (margins.Count == 0) continue;
                var sorted = margins.OrderByDescending(m => m).ToArray();
                double cut = sorted[(int)Math.Min(count, sorted.Length) - 1];
                for (int i = 0; i < n; i++)
                    if (labels[i] == given && (double)probabilities[i * k + truth] - probabilities[i * k + given] >= cut) flagged[i] = true;
            }
        var result = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (!flagged[i]) continue;
            var p = probabilities.AsSpan(i * k, k);
            int argmax = 0;
            for (int j = 1; j < k; j++) if (p[j] > p[argmax]) argmax = j;
            if (argmax != labels[i]) result.Add(i);
        }
        return result.ToArray();
    }

    /// <summary>cleanlab _keep_at_least_n_per_class with n = 1 and frac_noise = 1, on the prune-count matrix (rows = true class).</summary>
    static long[,] KeepAtLeastOnePerClass(double[,] prune)
    {
        int k = prune.GetLength(0);
        var result = new double[k, k];
        for (int col = 0; col < k; col++)
        {
            double diagonal = prune[col, col], raised = Math.Max(diagonal, 1);
            int nonZero = 0;
            for (int row = 0; row < k; row++) if (prune[row, col] != 0) nonZero++;
            double perNoiseRate = (raised - diagonal) / Math.Max(nonZero - 1.0, 1.0);
            for (int row = 0; row < k; row++)
                result[row, col] = row == col ? raised : Math.Max(prune[row, col] - perNoiseRate, 0);
        }
        return RoundPreservingRowTotals(result);
    }

    /// <summary>cleanlab round_preserving_row_totals: each row rounded (halves to even) and adjusted to its rounded total.</summary>
    internal static long[,] RoundPreservingRowTotals(double[,] matrix)
    {
        int rows = matrix.GetLength(0), cols = matrix.GetLength(1);
        var result = new long[rows, cols];
        for (int r = 0; r < rows; r++)
        {
            var floats = new double[cols];
            var ints = new double[cols];
            for (int c = 0; c < cols; c++) { floats[c] = matrix[r, c]; ints[c] = Math.Round(floats[c]); }
            double target = Math.Round(floats.Sum()), sum = Math.Round(ints.Sum());
            while (Math.Abs(sum - target) > 1e-6)
            {
                double diff = Math.Round(target - sum);
                int increment = diff < 0 ? -1 : 1, changes = (int)Math.Min(Math.Abs(diff), cols);
                // numpy: argsort(floats - ints)[::-1][:changes], the entries rounded down the most first.
                var order = Enumerable.Range(0, cols).OrderBy(c => floats[c] - ints[c]).Reverse().Take(changes);
                foreach (var c in order) ints[c] += increment;
                sum = Math.Round(ints.Sum());
            }
            for (int c = 0; c < cols; c++) result[r, c] = (long)ints[c];
        }
        return result;
    }

    /// <summary>cleanlab calibrate_confident_joint: rows to the given-label counts, then the total to N.</summary>
    static double[,] Calibrate(long[,] joint, long[] labelCounts, int n)
    {
        int k = labelCounts.Length;
        var calibrated = new double[k, k];
        double total = 0;
        for (int j = 0; j < k; j++)
        {
            double rowSum = 0;
            for (int t = 0; t < k; t++) rowSum += joint[j, t];
            for (int t = 0; t < k; t++) { calibrated[j, t] = joint[j, t] / rowSum * labelCounts[j]; total += calibrated[j, t]; }
        }
        for (int j = 0; j < k; j++)
            for (int t = 0; t < k; t++) calibrated[j, t] = calibrated[j, t] / total * n;
        return calibrated;
    }
}
