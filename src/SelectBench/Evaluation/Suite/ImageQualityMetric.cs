using SelectBench.Common;
using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;
using SelectBench.Data;

namespace SelectBench.Evaluation.Suite;

/// <summary>Settings of the image-quality metric (the run config's <c>evaluation.quality</c>).</summary>
public sealed record ImageQualitySettings(QualitySettings? Quality = null) : ISettings
{
    public QualitySettings Quality { get; init; } = Quality ?? new QualitySettings();

    public void Validate(string where) => Quality.Validate($"{where}.quality");
}

/// <summary>
/// Image quality of a shift against a reference set (the expert baseline), from one cached embedding per
/// image and encoder (docs/metrics.md#image-quality): FID, KID (unbiased, subsets), CMMD (the reference code's biased
/// estimator, sigma 10, x1000), precision/recall and density/coverage of the image manifold, and the Vendi
/// diversity of the shift; the Inception Score from the reference classifier's softmax on the shift's images.
/// Sets are capped at <see cref="QualitySettings.MaxImages"/> (class-balanced, seeded) because the kernel and
/// manifold metrics are quadratic in the set size. The SELECT paper found such metrics "showed little
/// correlation with actual model performance"; the run's rank-agreement table measures that here.
/// </summary>
[Registered(Name, Description = "FID, KID, CMMD, manifold precision/recall/density/coverage, Vendi and Inception Score of the shift",
    Settings = typeof(ImageQualitySettings))]
public sealed class ImageQualityMetric(ImageQualitySettings settings) : IEvalMetric
{
    public const string Name = "image-quality";
    public const string FidKey = "fid";
    public const string KidKey = "kid";
    public const string CmmdKey = "cmmd";
    public const string PrecisionKey = "precision";
    public const string RecallKey = "recall";
    public const string DensityKey = "density";
    public const string CoverageKey = "coverage_manifold";
    public const string VendiKey = "vendi";
    public const string InceptionScoreKey = "inception_score";

    public MetricDeclaration Declaration { get; } = new(MetricScope.Shift, MetricInputs.Shift | MetricInputs.ReferenceSet | MetricInputs.Encoder,
        "Image quality",
        [
            new MetricPanel("FID", [FidKey]), new MetricPanel("KID", [KidKey]), new MetricPanel("CMMD", [CmmdKey]),
            new MetricPanel("Vendi score", [VendiKey]), new MetricPanel("Inception score", [InceptionScoreKey]),
            new MetricPanel("manifold", [PrecisionKey, RecallKey, DensityKey, CoverageKey]),
        ],
        [FidKey, KidKey, CmmdKey, PrecisionKey, RecallKey, DensityKey, CoverageKey, VendiKey, InceptionScoreKey])
    {
        Uses = MetricInputs.ReferenceModel,
        Order = 80,
        InDefaultSuite = true,
        Headline = [FidKey, CmmdKey, VendiKey],
        RankAgreement = [FidKey, KidKey, CmmdKey, PrecisionKey, RecallKey, VendiKey],
        LowerIsBetter = [FidKey, KidKey, CmmdKey],
    };

    public MetricResult Compute(EvalInputs inputs, string folder, CancellationToken cancellationToken)
    {
        var shiftFull = SuiteInputs.Shift(inputs, Name);
        var encoder = SuiteInputs.Encoder(inputs, Name);
        var referenceFull = inputs.ReferenceSet
            ?? throw new SelectBenchException($"Metric '{Name}' needs a reference set (the expert baseline) to compare the shift with.");
        var q = settings.Quality;
        var shift = ClassBalanced.AtMost(shiftFull, q.MaxImages, q.Seed);
        var reference = ClassBalanced.AtMost(referenceFull, q.MaxImages, q.Seed);
        var a = SuiteInputs.Embed(inputs, encoder, shift, "the shift");
        cancellationToken.ThrowIfCancellationRequested();
        var b = SuiteInputs.Embed(inputs, encoder, reference, "the reference set");
        cancellationToken.ThrowIfCancellationRequested();
        var kid = KernelInceptionDistance.Compute(b, a, new KidSettings(SubsetSize: Math.Min(1000, Math.Min(a.Count, b.Count)), Seed: q.Seed));
        var manifold = ManifoldMetrics.Compute(b, a);
        var values = new Dictionary<string, Interval>
        {
            [FidKey] = Interval.Point(FrechetInceptionDistance.Compute(b, a), a.Count),
            [KidKey] = new Interval(kid.Mean, kid.Mean - kid.Std, kid.Mean + kid.Std, kid.Subsets),
            [CmmdKey] = Interval.Point(Cmmd.Compute(b, a), a.Count),
            [PrecisionKey] = Interval.Point(manifold.Precision, a.Count),
            [RecallKey] = Interval.Point(manifold.Recall, a.Count),
            [DensityKey] = Interval.Point(manifold.Density, a.Count),
            [CoverageKey] = Interval.Point(manifold.Coverage, a.Count),
            [VendiKey] = Interval.Point(VendiScore.Compute(a), a.Count),
        };
        if (inputs.ReferenceClassifier is { } refModel)
        {
            var probs = refModel.PredictProbabilities(shift);
            var score = InceptionScore.Compute(probs, shift.Count, refModel.LabelSet.Count);
            values[InceptionScoreKey] = new Interval(score.Mean, score.Mean - score.Std, score.Mean + score.Std, score.Splits);
        }
        return new MetricResult(values, new
        {
            encoder = encoder.Name,
            shift_images = shift.Count,
            reference_images = reference.Count,
            kid_note = "kid interval is mean ± one standard deviation over subsets, as torch-fidelity reports it",
            manifold.NearestK,
        });
    }

}
