using SelectBench.Analysis;
using SelectBench.Common;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>
/// Dataset analytics (DESIGN section 5; SELECT sec. 4 and its repository's per-class statistics): coverage,
/// LT@t, LS@5pct, imbalance ratio, Gini and normalised entropy of the shift's class counts. With a model,
/// also the per-class table with the paper's columns (written as <c>per_class.csv</c>) and the paper's
/// correlations between its columns (Pearson and Spearman), using the expert model's per-class accuracy and
/// the expert shift's counts where given.
/// </summary>
[EvalMetric("analytics")]
public sealed class DatasetAnalyticsMetric : IEvalMetric
{
    public IReadOnlyList<string> Requires => ["shift"];

    public MetricResult Evaluate(EvalInputs inputs, string folder)
    {
        var shift = SuiteInputs.Shift(inputs, "analytics");
        SuiteInputs.CheckSet(shift, inputs.LabelSet, "shift");
        var counts = shift.ClassCounts();
        int nominal = inputs.Settings.NominalPerClass ?? (int)Math.Round((double)shift.Count / counts.Length);
        var stats = ClassDistribution.Compute(counts, new ClassDistributionSettings(NominalPerClass: Math.Max(1, nominal)));
        var values = new Dictionary<string, Interval>
        {
            ["images"] = Interval.Point(shift.Count),
            ["coverage"] = Interval.Point(stats.Coverage),
            ["lt"] = Interval.Point(stats.LongTailClasses),
            ["ls_5pct"] = Interval.Point(stats.LargestShare),
            ["imbalance_ratio"] = Interval.Point(stats.ImbalanceRatio),
            ["gini"] = Interval.Point(stats.Gini),
            ["normalized_entropy"] = Interval.Point(stats.NormalisedEntropy),
        };
        object? correlations = null;
        if (inputs.Classifier is { } classifier && inputs.BaseSet is { } baseSet)
        {
            SuiteInputs.CheckLabels(classifier, inputs.LabelSet, "analytics");
            var probs = classifier.PredictProbabilities(baseSet);
            var predictions = ClassificationMetrics.Predictions(probs, baseSet.Count, inputs.LabelSet.Count);
            var confusion = ClassificationMetrics.ConfusionMatrix(baseSet.Labels, predictions, inputs.LabelSet.Count);
            var rows = PerClassTable.Build(ToLong(confusion), counts, inputs.LabelSet.Names);
            PerClassTableCsvWriter.Write(Path.Combine(folder, "per_class.csv"), rows);
            IReadOnlyList<PerClassRow>? expertRows = null;
            if (inputs.ExpertPerClassAccuracy is { } expertAcc && inputs.ExpertClassCounts is { } expertCounts)
                expertRows = rows.Select((r, c) => r with { Accuracy = expertAcc[c], Count = expertCounts[c] }).ToList();
            var pairs = PaperCorrelations.Compute(rows, expertRows);
            foreach (var p in pairs.Where(p => double.IsFinite(p.Spearman)))
                values[$"corr_{p.Name}_spearman"] = Interval.Point(p.Spearman);
            correlations = pairs;
        }
        return new MetricResult(values, new { counts, nominal_per_class = nominal, stats, correlations });
    }

    private static long[,] ToLong(int[][] m)
    {
        var r = new long[m.Length, m.Length];
        for (int i = 0; i < m.Length; i++)
            for (int j = 0; j < m.Length; j++) r[i, j] = m[i][j];
        return r;
    }

}
