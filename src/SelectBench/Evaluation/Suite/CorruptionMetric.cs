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

/// <summary>Settings of the corruption metric (the run config's <c>evaluation.corruption_images</c> and <c>evaluation.corruptions</c>).</summary>
/// <param name="CorruptionImages">Eval images corrupted per corruption and severity (a class-balanced subset of the base set); 0 = all.</param>
/// <param name="Corruptions">Names to run; null = all 15.</param>
public sealed record CorruptionSettings(int CorruptionImages = 0, IReadOnlyList<string>? Corruptions = null) : ISettings
{
    public void Validate(string where)
    {
        if (CorruptionImages < 0)
            throw new SelectBenchException($"{where}.corruption_images: {CorruptionImages} is not allowed; give 0 (all) or more.");
        foreach (var name in Corruptions ?? [])
            SettingRules.OneOf(where, "corruptions", name, [.. Evaluation.Corruptions.Corruptions.Names]);
    }
}

/// <summary>The corruption metric's details, read back by the benchmark for the mCE against the reference shift's model.</summary>
/// <param name="Top1ByCorruptionAndSeverity">Corruption -> top-1 at severities 1..5.</param>
public sealed record CorruptionDetails(int Images, double CleanTop1, IReadOnlyDictionary<string, double[]> Top1ByCorruptionAndSeverity,
    string? CeNote = null, CorruptionErrorDetails? CorruptionErrors = null);

/// <summary>CE and relative CE per corruption against a named reference model.</summary>
public sealed record CorruptionErrorDetails(string Reference, IReadOnlyDictionary<string, double> Ce, IReadOnlyDictionary<string, double> RelativeCe);

/// <summary>
/// Synthetic distribution-shift robustness (docs/corruptions.md; SELECT Table 2 "avg synthetic robustness"):
/// the 15 ImageNet-C corruptions at severities 1-5 on the base set. Reports top-1 per corruption and
/// severity and the paper's number, the mean top-1 over the 15 x 5 cells (<c>corruption_top1_mean</c>).
/// With a reference model's errors (<see cref="EvalInputs.CorruptionReferencePath"/>) it also reports, after
/// Hendrycks and Dietterich 2019 (ICLR, sec. 3):
/// CE_c = sum_s E_{s,c} / sum_s E^ref_{s,c}, mCE = mean_c CE_c, and relative
/// CE_c = sum_s (E_{s,c} - E_clean) / sum_s (E^ref_{s,c} - E^ref_clean), relative mCE = its mean.
/// Small corrupted sets are cached on disk (<see cref="CorruptedSetCache"/>) so every model shares them; larger
/// ones are corrupted on the fly, batch by batch (<see cref="CorruptedImages"/>), to the same pixels and top-1.
/// </summary>
[Registered(Name, Description = "top-1 under the 15 ImageNet-C corruptions at 5 severities; CE and mCE against a reference model",
    Settings = typeof(CorruptionSettings))]
public sealed class CorruptionMetric(CorruptionSettings settings) : IEvalMetric
{
    public const string Name = "corruptions";
    public const string Top1MeanKey = "corruption_top1_mean";
    public const string CleanTop1Key = "corruption_clean_top1";
    public const string MceKey = "mce";
    public const string RelativeMceKey = "relative_mce";

    /// <summary>The reference errors every evaluated model writes (<see cref="CorruptionReference"/>), so it can normalise later evaluations.</summary>
    public const string ErrorsFile = "corruption_errors.json";

    /// <summary>Seed of the class-balanced subset and of the random corruptions: one for every model, so all see the same sets.</summary>
    public const long Seed = 0;

    /// <summary>Top-1 under one corruption, averaged over the severities.</summary>
    public static string Top1Key(string corruption) => $"corruption_{corruption}_top1";

    public MetricDeclaration Declaration { get; } = new(MetricScope.Model, MetricInputs.Model | MetricInputs.BaseSet,
        "Corruptions", [new MetricPanel("top-1", [CleanTop1Key, Top1MeanKey]), new MetricPanel("mCE", [MceKey, RelativeMceKey])],
        [Top1MeanKey, CleanTop1Key, MceKey, RelativeMceKey])
    {
        Uses = MetricInputs.CorruptedSets | MetricInputs.CorruptionReference,
        Order = 30,
        InDefaultSuite = true,
        Console = [new(Top1MeanKey, "corrupt")],
        Headline = [Top1MeanKey],
        RankAgreement = [Top1MeanKey],
        LowerIsBetter = [MceKey, RelativeMceKey],
    };

    public MetricResult Compute(EvalInputs inputs, string folder, CancellationToken cancellationToken)
    {
        var classifier = SuiteInputs.Classifier(inputs, Name);
        var full = SuiteInputs.BaseSet(inputs, Name);
        SuiteInputs.CheckLabels(classifier, inputs.LabelSet, Name);
        SuiteInputs.CheckSet(full, inputs.LabelSet, Name);
        var clean = ClassBalanced.AtMost(full, settings.CorruptionImages, (int)Seed);
        var names = settings.Corruptions ?? Corruptions.Corruptions.Names;
        var cache = inputs.CorruptedSetCacheFolder is { } root && CorruptedSetCache.Pays(clean, names.Count) ? new CorruptedSetCache(root) : null;
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
                    cancellationToken.ThrowIfCancellationRequested();
                    row[severity - 1] = cache != null
                        ? Top1(classifier, cache.GetOrCreate(clean, corruption, severity, Seed), k)
                        : Top1(classifier, new CorruptedImages(clean, corruption, severity, Seed), k);
                    progress.Advance(status: $"{name} s{severity} top1={row[severity - 1]:F3}");
                }
                top1[name] = row;
            }
        }

        var cells = top1.Values.SelectMany(r => r).ToArray();
        var values = new Dictionary<string, Interval>
        {
            // The paper's number: the plain mean over the 15 x 5 cells. Intervals come from seeds, not cells.
            [Top1MeanKey] = Interval.Point(cells.Average(), cells.Length),
            [CleanTop1Key] = Interval.Point(cleanTop1, clean.Count),
        };
        foreach (var (name, row) in top1)
            values[Top1Key(name)] = Interval.Point(row.Average(), row.Length);

        var mine = new CorruptionReference(classifier.Name, 1 - cleanTop1, top1.ToDictionary(p => p.Key, p => p.Value.Select(a => 1 - a).ToArray()));
        AtomicFile.WriteJson(Path.Combine(folder, ErrorsFile), mine);
        CorruptionErrorDetails? ce = null;
        if (inputs.CorruptionReferencePath is { } refPath)
        {
            var reference = Json.Read<CorruptionReference>(refPath);
            var (perCorruption, mce, relative) = CorruptionErrors(mine, reference, refPath);
            values[MceKey] = Interval.Point(mce, perCorruption.Count);
            values[RelativeMceKey] = Interval.Point(relative.Values.Average(), relative.Count);
            ce = new CorruptionErrorDetails(reference.Model, perCorruption, relative);
        }
        return new MetricResult(values, new CorruptionDetails(clean.Count, cleanTop1, top1,
            inputs.CorruptionReferencePath == null ? "no reference model given: CE and mCE not computed" : null, ce));
    }

    /// <summary>
    /// Fills the corrupted-set cache in <paramref name="cacheFolder"/> for a base set exactly as <see cref="Compute"/> will
    /// read it, so that models evaluated in parallel only read the cache (a benchmark run does this once, before any evaluation).
    /// A set too large to cache (<see cref="CorruptedSetCache.Pays"/>) writes nothing: each evaluation corrupts it on the fly.
    /// </summary>
    public static int Precompute(ImageSet full, CorruptionSettings settings, string cacheFolder, CancellationToken cancellationToken = default)
    {
        var clean = ClassBalanced.AtMost(full, settings.CorruptionImages, (int)Seed);
        var cache = new CorruptedSetCache(cacheFolder);
        var names = settings.Corruptions ?? Corruptions.Corruptions.Names;
        if (!CorruptedSetCache.Pays(clean, names.Count)) return clean.Count; // corrupted on the fly by each evaluation
        using var progress = new ProgressBar("corrupting", names.Count * Corruptions.Corruptions.Severities.Count);
        foreach (var name in names)
            foreach (var severity in Corruptions.Corruptions.Severities)
            {
                cancellationToken.ThrowIfCancellationRequested();
                cache.GetOrCreate(clean, Corruptions.Corruptions.Get(name), severity, Seed);
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

    /// <summary>Top-1 over on-the-fly batches: hits summed over batches, then one division, as the whole-set <see cref="Top1(IImageClassifier, ImageSet, int)"/>.</summary>
    internal static double Top1(IImageClassifier classifier, CorruptedImages images, int k)
    {
        if (images.Count == 0) return double.NaN;
        long hits = 0;
        foreach (var batch in images.Batches())
            hits += (long)Math.Round(ClassificationMetrics.TopK(classifier.PredictProbabilities(batch), batch.Labels, k, 1) * batch.Count);
        return (double)hits / images.Count;
    }

}
