using System.Globalization;
using System.Text;
using SelectBench.Common;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>Settings of the base-accuracy metric.</summary>
/// <param name="Bootstrap">Percentile-bootstrap resamples of every interval (the run config's <c>evaluation.bootstrap</c>).</param>
public sealed record BaseAccuracySettings(int Bootstrap = 1000) : ISettings
{
    public void Validate(string where)
    {
        if (Bootstrap < 10) throw new SelectBenchException($"{where}.bootstrap: {Bootstrap} is not allowed; give at least 10 resamples.");
    }
}

/// <summary>The base metric's details: what its result.json holds beside the values, read back by the benchmark.</summary>
/// <param name="PerClass">Recall and precision of each class, in label-set order.</param>
public sealed record BaseAccuracyDetails(int[][] ConfusionMatrix, IReadOnlyList<ClassAccuracy> PerClass, int Images);

/// <summary>One class's recall (its per-class accuracy) and precision, with bootstrap intervals.</summary>
public sealed record ClassAccuracy(string Class, Interval Recall, Interval Precision);

/// <summary>
/// Base accuracy (docs/metrics.md; SELECT Table 2 "IN-val top-1"): top-1 on the base eval set, plus top-5,
/// balanced accuracy and per-class precision and recall, each with a percentile-bootstrap 95% interval
/// over the test images. Exports probabilities, predictions and labels (.npy), the rows' ids (base_ids.txt) and a per-sample CSV.
/// </summary>
[Registered(Name, Description = "top-1, top-5 and balanced accuracy on the base eval set, per-class recall and precision", Settings = typeof(BaseAccuracySettings))]
public sealed class BaseAccuracyMetric(BaseAccuracySettings settings) : IEvalMetric
{
    public const string Name = "base";
    public const string Top1Key = "base_top1";
    public const string Top5Key = "base_top5";
    public const string BalancedAccuracyKey = "base_balanced_accuracy";

    /// <summary>The exports in the metric's folder (docs/benchmark.md#outputs): probabilities (N x K float32), labels and predictions (N int32), row ids.</summary>
    public const string ProbabilitiesFile = "base_probabilities.npy";
    public const string LabelsFile = "base_labels.npy";
    public const string IdsFileName = "base_ids.txt";

    public MetricDeclaration Declaration { get; } = new(MetricScope.Model, MetricInputs.Model | MetricInputs.BaseSet,
        "Base accuracy", [new MetricPanel("accuracy", [Top1Key, Top5Key, BalancedAccuracyKey])], [Top1Key, Top5Key, BalancedAccuracyKey])
    {
        Order = 10,
        InDefaultSuite = true,
        Console = [new(Top1Key, "top-1")],
        Headline = [Top1Key],
        RankAgreement = [Top1Key],
    };

    public MetricResult Compute(EvalInputs inputs, string folder, CancellationToken cancellationToken)
    {
        var classifier = SuiteInputs.Classifier(inputs, Name);
        var set = SuiteInputs.BaseSet(inputs, Name);
        SuiteInputs.CheckLabels(classifier, inputs.LabelSet, Name);
        SuiteInputs.CheckSet(set, inputs.LabelSet, Name);
        int k = inputs.LabelSet.Count;
        var probs = classifier.PredictProbabilities(set);
        var labels = set.Labels;
        ClassificationMetrics.Export(folder, Name, probs, labels, k);
        IdsFile.Write(Path.Combine(folder, IdsFileName), set.Ids);
        WritePerSampleCsv(Path.Combine(folder, "base_samples.csv"), set.Ids, labels, probs, k, inputs.LabelSet.Names);

        var report = ClassificationMetrics.Compute(probs, labels, k);
        var boot = new BootstrapSettings(Resamples: settings.Bootstrap);
        var predictions = ClassificationMetrics.Predictions(probs, labels.Length, k);
        Interval Boot(double estimate, Func<int[], double> statistic) =>
            Bootstrap.Percentile(labels.Length, statistic, boot) with { Estimate = estimate };

        var values = new Dictionary<string, Interval>
        {
            [Top1Key] = Boot(report.Top1, idx => Accuracy(idx, labels, predictions)),
            [Top5Key] = Boot(report.Top5, idx => ClassificationMetrics.TopK(Gather(probs, idx, k), Gather(labels, idx), k, Math.Min(5, k))),
            [BalancedAccuracyKey] = Boot(report.BalancedAccuracy,
                idx => ClassificationMetrics.BalancedAccuracy(ClassificationMetrics.ConfusionMatrix(Gather(labels, idx), Gather(predictions, idx), k))),
        };
        var (recall, precision) = PerClassIntervals(labels, predictions, k, report, boot, cancellationToken);
        var perClass = Enumerable.Range(0, k)
            .Select(c => new ClassAccuracy(inputs.LabelSet.Names[c], recall[c], precision[c]))
            .ToList();
        return new MetricResult(values, new BaseAccuracyDetails(report.ConfusionMatrix, perClass, labels.Length));
    }

    /// <summary>
    /// Per-class recall and precision intervals from one bootstrap: each replicate's confusion matrix gives
    /// every class's values at once (K separate bootstraps would cost K times as much on 1000 classes).
    /// Percentiles interpolate linearly as in <see cref="Bootstrap"/>; NaN replicates are dropped.
    /// </summary>
    private static (Interval[] Recall, Interval[] Precision) PerClassIntervals(int[] labels, int[] predictions, int k,
        ClassificationReport report, BootstrapSettings settings, CancellationToken cancellationToken)
    {
        int n = labels.Length;
        var recalls = Enumerable.Range(0, k).Select(_ => new List<double>(settings.Resamples)).ToArray();
        var precisions = Enumerable.Range(0, k).Select(_ => new List<double>(settings.Resamples)).ToArray();
        var rng = new Random(settings.Seed);
        var correct = new int[k];
        var labelled = new int[k];
        var predicted = new int[k];
        for (int r = 0; r < settings.Resamples; r++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Array.Clear(correct); Array.Clear(labelled); Array.Clear(predicted);
            for (int j = 0; j < n; j++)
            {
                int i = rng.Next(n);
                labelled[labels[i]]++;
                predicted[predictions[i]]++;
                if (labels[i] == predictions[i]) correct[labels[i]]++;
            }
            for (int c = 0; c < k; c++)
            {
                if (labelled[c] > 0) recalls[c].Add((double)correct[c] / labelled[c]);
                if (predicted[c] > 0) precisions[c].Add((double)correct[c] / predicted[c]);
            }
        }
        double lowQ = (1 - settings.Confidence) / 2, highQ = 1 - lowQ;
        Interval Make(double estimate, List<double> draws)
        {
            if (draws.Count == 0) return new Interval(estimate, double.NaN, double.NaN, 0);
            draws.Sort();
            return new Interval(estimate, Bootstrap.Quantile(draws, lowQ), Bootstrap.Quantile(draws, highQ), draws.Count);
        }
        return (Enumerable.Range(0, k).Select(c => Make(report.PerClassAccuracy[c], recalls[c])).ToArray(),
                Enumerable.Range(0, k).Select(c => Make(report.PerClassPrecision[c], precisions[c])).ToArray());
    }

    private static double Accuracy(int[] idx, int[] labels, int[] predictions)
    {
        int hits = 0;
        foreach (var i in idx) if (labels[i] == predictions[i]) hits++;
        return idx.Length == 0 ? double.NaN : (double)hits / idx.Length;
    }

    internal static int[] Gather(int[] values, int[] idx)
    {
        var r = new int[idx.Length];
        for (int i = 0; i < idx.Length; i++) r[i] = values[idx[i]];
        return r;
    }

    internal static float[] Gather(float[] rows, int[] idx, int width)
    {
        var r = new float[idx.Length * width];
        for (int i = 0; i < idx.Length; i++) Array.Copy(rows, idx[i] * width, r, i * width, width);
        return r;
    }

    private static void WritePerSampleCsv(string path, string[] ids, int[] labels, float[] probs, int k, IReadOnlyList<string> names)
    {
        var sb = new StringBuilder("id,label,label_name,prediction,prediction_name,correct,p_label,p_prediction\n");
        var predictions = ClassificationMetrics.Predictions(probs, labels.Length, k);
        for (int i = 0; i < labels.Length; i++)
        {
            int p = predictions[i];
            sb.Append(CultureInfo.InvariantCulture,
                $"{Csv(ids[i])},{labels[i]},{Csv(names[labels[i]])},{p},{Csv(names[p])},{(p == labels[i] ? 1 : 0)},{probs[i * k + labels[i]]:G6},{probs[i * k + p]:G6}\n");
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    internal static string Csv(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
