using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Evaluation.Corruptions;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;

namespace SelectBench.Evaluation.Suite;

/// <summary>
/// A reference model's top-1 errors on the clean set and on each corruption x severity, the denominator
/// of CE (Hendrycks and Dietterich 2019 normalise by AlexNet; in a run the expert-shift model plays that
/// role). Written by the corruption metric as <c>corruption_errors.json</c>, so any evaluated model can
/// serve as the reference of later evaluations.
/// </summary>
public sealed record CorruptionReference(string Model, double CleanError, IReadOnlyDictionary<string, double[]> Errors);

/// <summary>
/// Synthetic distribution-shift robustness (DESIGN section 5; SELECT Table 2 "avg synthetic robustness"):
/// the 15 ImageNet-C corruptions at severities 1-5 on the base set. Reports top-1 per corruption and
/// severity and the paper's number, the mean top-1 over the 15 x 5 cells (<c>corruption_top1_mean</c>).
/// With a reference model's errors it also reports, after Hendrycks and Dietterich 2019 (ICLR, sec. 3):
/// CE_c = sum_s E_{s,c} / sum_s E^ref_{s,c}, mCE = mean_c CE_c, and relative
/// CE_c = sum_s (E_{s,c} - E_clean) / sum_s (E^ref_{s,c} - E^ref_clean), relative mCE = its mean.
/// Corrupted sets are cached on disk (<see cref="CorruptedSetCache"/>) so every model shares them.
/// </summary>
[EvalMetric("corruptions")]
public sealed class CorruptionMetric : IEvalMetric
{
    public IReadOnlyList<string> Requires => ["model", "base set"];

    public MetricResult Evaluate(EvalInputs inputs, string folder)
    {
        var classifier = SuiteInputs.Classifier(inputs, "corruptions");
        var full = SuiteInputs.BaseSet(inputs, "corruptions");
        SuiteInputs.CheckLabels(classifier, inputs.LabelSet, "corruptions");
        SuiteInputs.CheckSet(full, inputs.LabelSet, "corruptions");
        var settings = inputs.Settings.Corruption;
        var clean = ClassBalanced.AtMost(full, settings.Images, (int)settings.Seed);
        var names = settings.Corruptions ?? Corruptions.Corruptions.Names;
        var cache = settings.CacheFolder is { } root ? new CorruptedSetCache(root) : null;
        int k = inputs.LabelSet.Count;

        double cleanTop1 = Top1(classifier, clean, k);
        var top1 = new Dictionary<string, double[]>();
        using (var progress = new ProgressBar("corruptions", names.Count * Corruptions.Corruptions.Severities.Count))
        {
            foreach (var name in names)
            {
                var corruption = Corruptions.Corruptions.Get(name);
                var row = new double[Corruptions.Corruptions.Severities.Count];
                foreach (var severity in Corruptions.Corruptions.Severities)
                {
                    var corrupted = cache?.GetOrCreate(clean, corruption, severity, settings.Seed)
                                    ?? CorruptionSuite.Corrupt(clean, corruption, severity, settings.Seed);
                    row[severity - 1] = Top1(classifier, corrupted, k);
                    progress.Advance(status: $"{name} s{severity} top1={row[severity - 1]:F3}");
                }
                top1[name] = row;
            }
        }

        var cells = top1.Values.SelectMany(r => r).ToArray();
        var values = new Dictionary<string, Interval>
        {
            // The paper's number: the plain mean over the 15 x 5 cells. Intervals come from seeds, not cells.
            ["corruption_top1_mean"] = Interval.Point(cells.Average(), cells.Length),
            ["corruption_clean_top1"] = Interval.Point(cleanTop1, clean.Count),
        };
        foreach (var (name, row) in top1)
            values[$"corruption_{name}_top1"] = Interval.Point(row.Average(), row.Length);

        var mine = new CorruptionReference(classifier.Name, 1 - cleanTop1, top1.ToDictionary(p => p.Key, p => p.Value.Select(a => 1 - a).ToArray()));
        AtomicFile.WriteJson(Path.Combine(folder, "corruption_errors.json"), mine);
        object? ce = null;
        if (settings.ReferenceErrorsPath is { } refPath)
        {
            var reference = Json.Read<CorruptionReference>(refPath);
            var (perCorruption, mce, relative) = CorruptionErrors(mine, reference, refPath);
            values["mce"] = Interval.Point(mce, perCorruption.Count);
            values["relative_mce"] = Interval.Point(relative.Values.Average(), relative.Count);
            ce = new { reference = reference.Model, ce = perCorruption, relative_ce = relative };
        }
        return new MetricResult(values, new
        {
            images = clean.Count,
            clean_top1 = cleanTop1,
            top1_by_corruption_and_severity = top1,
            ce_note = settings.ReferenceErrorsPath == null ? "no reference model given: CE and mCE not computed" : null,
            corruption_errors = ce,
        });
    }

    /// <summary>
    /// Fills the corrupted-set cache for a base set exactly as <see cref="Evaluate"/> will read it, so that models
    /// evaluated in parallel only read the cache (a benchmark run does this once, before any evaluation).
    /// </summary>
    public static int Precompute(ImageSet full, CorruptionSettings settings)
    {
        var root = settings.CacheFolder ?? throw new ArgumentException("CorruptionSettings.CacheFolder is needed to precompute corrupted sets.");
        var clean = ClassBalanced.AtMost(full, settings.Images, (int)settings.Seed);
        var cache = new CorruptedSetCache(root);
        var names = settings.Corruptions ?? Corruptions.Corruptions.Names;
        using var progress = new ProgressBar("corrupting", names.Count * Corruptions.Corruptions.Severities.Count);
        foreach (var name in names)
        foreach (var severity in Corruptions.Corruptions.Severities)
        {
            cache.GetOrCreate(clean, Corruptions.Corruptions.Get(name), severity, settings.Seed);
            progress.Advance(status: $"{name} s{severity}");
        }
        return clean.Count;
    }

    /// <summary>CE and relative CE per corruption, and mCE, against a reference model (Hendrycks and Dietterich 2019).</summary>
    public static (Dictionary<string, double> Ce, double Mce, Dictionary<string, double> RelativeCe) CorruptionErrors(
        CorruptionReference model, CorruptionReference reference, string referenceName)
    {
        var ce = new Dictionary<string, double>();
        var rel = new Dictionary<string, double>();
        foreach (var (name, errors) in model.Errors)
        {
            if (!reference.Errors.TryGetValue(name, out var refErrors) || refErrors.Length != errors.Length)
                throw new SelectBenchException($"{referenceName}: the reference model '{reference.Model}' has no errors for corruption '{name}' at {errors.Length} severities. Evaluate the reference with the same corruptions.");
            double refSum = refErrors.Sum();
            ce[name] = refSum > 0 ? errors.Sum() / refSum : double.NaN;
            double refRel = refErrors.Sum(e => e - reference.CleanError);
            rel[name] = refRel != 0 ? errors.Sum(e => e - model.CleanError) / refRel : double.NaN;
        }
        return (ce, ce.Values.Average(), rel);
    }

    private static double Top1(IImageClassifier classifier, ImageSet set, int k) =>
        ClassificationMetrics.TopK(classifier.PredictProbabilities(set), set.Labels, k, 1);

}
