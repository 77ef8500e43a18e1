using SelectBench.Analysis;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;
using SelectBench.Embedding;

namespace SelectBench.Evaluation.Suite;

/// <summary>Settings of the label-quality metric (the run config's <c>evaluation.quality</c>, and the kNN temperature of <c>evaluation.knn</c>).</summary>
public sealed record LabelQualitySettings(QualitySettings? Quality = null, KnnSuiteSettings? Knn = null) : ISettings
{
    public QualitySettings Quality { get; init; } = Quality ?? new QualitySettings();
    public KnnSuiteSettings Knn { get; init; } = Knn ?? new KnnSuiteSettings();

    public void Validate(string where)
    {
        Quality.Validate($"{where}.quality");
        Knn.Validate($"{where}.knn");
    }
}

/// <summary>
/// Label quality (docs/metrics.md#label-quality): the estimated label-noise rate by confident learning (Northcutt et al.
/// 2021; see <see cref="ConfidentLearning"/>) on out-of-sample probabilities, overall and per class, with the
/// flagged samples exported as CSV; the true noise rate where samples carry a hidden true label
/// (FashionMNIST++); near-duplicates inside the shift and leakage of shift images into the eval sets.
/// The out-of-sample probabilities come from a K-fold cross-validated weighted kNN classifier on the fixed
/// encoder (each fold is predicted from the others), not from K-fold training of the recipe: it costs
/// seconds instead of K trainings, and the encoder never saw the shift's labels.
/// </summary>
[Registered(Name, Description = "estimated and true label-noise rate, near-duplicates in the shift, leakage into the eval sets",
    Settings = typeof(LabelQualitySettings))]
public sealed class LabelQualityMetric(LabelQualitySettings settings) : IEvalMetric
{
    public const string Name = "label-quality";
    public const string NoiseEstimateKey = "label_noise_est";
    public const string NoiseTrueKey = "label_noise_true";
    public const string DistractorRateKey = "distractor_rate";
    public const string NearDuplicatesKey = "near_duplicates";
    public const string LeakageKey = "leakage";

    public MetricDeclaration Declaration { get; } = new(MetricScope.Shift, MetricInputs.Shift | MetricInputs.Encoder, "Label quality",
        [new MetricPanel("rate", [NoiseTrueKey, NoiseEstimateKey, DistractorRateKey]), new MetricPanel("images", [NearDuplicatesKey, LeakageKey])],
        [NoiseEstimateKey, NearDuplicatesKey, NoiseTrueKey, DistractorRateKey, LeakageKey])
    {
        Uses = MetricInputs.LeakageSets,
        Order = 70,
        InDefaultSuite = true,
        Console = [new(NoiseTrueKey, "noise")],
        Headline = [NoiseTrueKey, NoiseEstimateKey],
        RankAgreement = [NoiseEstimateKey, NoiseTrueKey],
        LowerIsBetter = [NoiseTrueKey, NoiseEstimateKey, NearDuplicatesKey, LeakageKey],
    };

    public MetricResult Compute(EvalInputs inputs, string folder, CancellationToken cancellationToken)
    {
        var shift = SuiteInputs.Shift(inputs, Name);
        var encoder = SuiteInputs.Encoder(inputs, Name);
        SuiteInputs.CheckSet(shift, inputs.LabelSet, "shift");
        var q = settings.Quality;
        int k = inputs.LabelSet.Count;
        var embeddings = SuiteInputs.Embed(inputs, encoder, shift, "the shift");
        var probs = CrossValidatedKnnProbabilities(embeddings, shift.Labels, k, q.CrossValidationFolds, q.NeighbourK, settings.Knn.Temperature, q.Seed,
            cancellationToken);
        Npy.Write(Path.Combine(folder, "label_quality_oos_probabilities.npy"), probs, shift.Count, k);
        var issues = ConfidentLearning.FindLabelIssues(probs, shift.Labels, k);
        WriteFlagged(Path.Combine(folder, "label_issues.csv"), shift, issues, probs, k);

        var values = new Dictionary<string, Interval>
        {
            [NoiseEstimateKey] = Interval.Point(issues.NoiseRate, shift.Count),
        };
        var duplicates = NearDuplicates.Find(embeddings, q.DuplicateThreshold);
        values[NearDuplicatesKey] = Interval.Point(duplicates.Dropped.Length, shift.Count);
        object? audit = null;
        if (shift.Provenance is { } provenance && provenance.Any(p => p.TrueLabel != SampleProvenance.UnknownLabel))
        {
            var a = ShiftAudit.Compute(shift.Labels, provenance, k);
            values[NoiseTrueKey] = Interval.Point(a.NoiseRate, a.Audited);
            values[DistractorRateKey] = Interval.Point(a.DistractorRate, a.Audited);
            audit = a;
        }
        var leakage = new List<object>();
        int leakedTotal = 0;
        foreach (var set in inputs.LeakageSets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var evalEmbeddings = SuiteInputs.Embed(inputs, encoder, set.Images, $"eval set '{set.Name}'");
            var report = NearDuplicates.FindLeakage(embeddings, evalEmbeddings, q.DuplicateThreshold);
            leakedTotal += report.Leaked.Length;
            leakage.Add(new { set = set.Name, leaked = report.Leaked.Length, shift_ids = report.Leaked.Take(50).Select(i => shift.Ids[i]) });
        }
        if (inputs.LeakageSets.Count > 0) values[LeakageKey] = Interval.Point(leakedTotal, shift.Count);
        return new MetricResult(values, new
        {
            method = $"confident learning on {q.CrossValidationFolds}-fold cross-validated weighted kNN (k={q.NeighbourK}) over encoder '{encoder.Name}'",
            estimated_noise_per_class = inputs.LabelSet.Names.Zip(issues.NoiseRatePerClass, (n, r) => new { @class = n, rate = r }),
            flagged = issues.Flagged.Length,
            true_audit = audit,
            near_duplicates = new { duplicates.Threshold, duplicates.Pairs, dropped = duplicates.Dropped.Length },
            leakage,
        });
    }

    /// <summary>Probabilities for every sample from a weighted kNN fitted on the other folds (seeded fold assignment).</summary>
    public static float[] CrossValidatedKnnProbabilities(Embeddings embeddings, int[] labels, int classes, int folds, int k, double temperature, int seed,
        CancellationToken cancellationToken = default)
    {
        int n = embeddings.Count;
        if (n < 2) throw new SelectBenchException("Label quality needs at least two images in the shift.");
        folds = Math.Clamp(folds, 2, n);
        var fold = new int[n];
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        for (int i = 0; i < n; i++) fold[order[i]] = i % folds;
        var result = new float[(long)n * classes];
        for (int f = 0; f < folds; f++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var train = Enumerable.Range(0, n).Where(i => fold[i] != f).ToArray();
            var test = Enumerable.Range(0, n).Where(i => fold[i] == f).ToArray();
            var knn = new WeightedKnnClassifier(WeightedKnnClassifier.FullBank(embeddings.Rows(train), train.Select(i => labels[i]).ToArray(), classes), temperature);
            var p = knn.PredictProbabilities(embeddings.Rows(test), k);
            for (int t = 0; t < test.Length; t++)
                Array.Copy(p, (long)t * classes, result, (long)test[t] * classes, classes);
        }
        return result;
    }

    private static void WriteFlagged(string path, ImageSet shift, LabelIssueReport issues, float[] probs, int k)
    {
        var sb = new System.Text.StringBuilder("index,id,given_label,estimated_true_label,p_given,p_estimated\n");
        foreach (var i in issues.Flagged)
        {
            int given = shift.Labels[i], est = issues.EstimatedTrueLabels[i];
            sb.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{i},{BaseAccuracyMetric.Csv(shift.Ids[i])},{BaseAccuracyMetric.Csv(shift.LabelSet.Names[given])},{(est >= 0 ? BaseAccuracyMetric.Csv(shift.LabelSet.Names[est]) : "")},{probs[i * k + given]:G6},{(est >= 0 ? probs[i * k + est] : float.NaN):G6}\n");
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

}
