using SelectBench.Analysis;
using SelectBench.Common;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>Settings of the dataset analytics (the run config's <c>evaluation.nominal_per_class</c>).</summary>
/// <param name="NominalPerClass">Nominal images per class for LT@t (paper: 1300 for ImageNet); null = the shift's
/// target size over the classes (<see cref="EvalInputs.ShiftTargetSize"/>), or its own N/K.</param>
public sealed record DatasetAnalyticsSettings(int? NominalPerClass = null) : ISettings
{
    public void Validate(string where)
    {
        if (NominalPerClass is { } n) SettingRules.Positive(where, "nominal_per_class", n);
    }
}

/// <summary>
/// Dataset analytics (docs/metrics.md; SELECT sec. 4 and its repository's per-class statistics): coverage,
/// LT@t, LS@5pct, imbalance ratio, Gini and normalised entropy of the shift's class counts. With a model,
/// also the per-class table with the paper's columns (written as <c>per_class.csv</c>) and the paper's
/// correlations between its columns (Pearson and Spearman), using the expert model's per-class accuracy and
/// the expert shift's counts where given.
/// </summary>
[Registered(Name, Description = "coverage, LT@t, LS@5pct, imbalance, Gini and entropy of the shift's class counts",
    Settings = typeof(DatasetAnalyticsSettings))]
public sealed class DatasetAnalyticsMetric(DatasetAnalyticsSettings settings) : IEvalMetric
{
    public const string Name = "analytics";
    public const string ImagesKey = "images";
    public const string CoverageKey = "coverage";
    public const string LongTailKey = "lt";
    public const string LargestShareKey = "ls_5pct";
    public const string ImbalanceRatioKey = "imbalance_ratio";
    public const string GiniKey = "gini";
    public const string NormalizedEntropyKey = "normalized_entropy";

    /// <summary>Spearman correlation of one of the paper's column pairs (with a model only).</summary>
    public static string CorrelationKey(string pair) => $"corr_{pair}_spearman";

    public MetricDeclaration Declaration { get; } = new(MetricScope.Shift, MetricInputs.Shift, "Dataset analytics",
        [
            new MetricPanel("classes", [CoverageKey, LongTailKey]),
            new MetricPanel("share", [LargestShareKey, GiniKey, NormalizedEntropyKey]),
            new MetricPanel("ratio", [ImbalanceRatioKey]),
        ],
        [ImagesKey, CoverageKey, LongTailKey, LargestShareKey, ImbalanceRatioKey, GiniKey, NormalizedEntropyKey])
    {
        Uses = MetricInputs.Model | MetricInputs.BaseSet | MetricInputs.ExpertPerClass,
        Order = 60,
        InDefaultSuite = true,
        Console = [new(LargestShareKey, "LS@5%")],
        Headline = [CoverageKey, LongTailKey, LargestShareKey],
        RankAgreement = [CoverageKey, LongTailKey, LargestShareKey],
        LowerIsBetter = [LongTailKey, LargestShareKey, ImbalanceRatioKey, GiniKey],
    };

    public MetricResult Compute(EvalInputs inputs, string folder, CancellationToken cancellationToken)
    {
        var shift = SuiteInputs.Shift(inputs, Name);
        SuiteInputs.CheckSet(shift, inputs.LabelSet, "shift");
        var counts = shift.ClassCounts();
        int nominal = settings.NominalPerClass
                      ?? (inputs.ShiftTargetSize is { } target ? target / counts.Length : (int)Math.Round((double)shift.Count / counts.Length));
        var stats = ClassDistribution.Compute(counts, new ClassDistributionSettings(NominalPerClass: Math.Max(1, nominal)));
        var values = new Dictionary<string, Interval>
        {
            [ImagesKey] = Interval.Point(shift.Count),
            [CoverageKey] = Interval.Point(stats.Coverage),
            [LongTailKey] = Interval.Point(stats.LongTailClasses),
            [LargestShareKey] = Interval.Point(stats.LargestShare),
            [ImbalanceRatioKey] = Interval.Point(stats.ImbalanceRatio),
            [GiniKey] = Interval.Point(stats.Gini),
            [NormalizedEntropyKey] = Interval.Point(stats.NormalisedEntropy),
        };
        object? correlations = null;
        if (inputs.Classifier is { } classifier && inputs.BaseSet is { } baseSet)
        {
            SuiteInputs.CheckLabels(classifier, inputs.LabelSet, Name);
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
                values[CorrelationKey(p.Name)] = Interval.Point(p.Spearman);
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
