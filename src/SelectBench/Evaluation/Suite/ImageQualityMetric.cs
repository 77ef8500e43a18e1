using SelectBench.Evaluation.Metrics;
using SelectBench.Statistics;
using SelectBench.Data;

namespace SelectBench.Evaluation.Suite;

/// <summary>
/// Image quality of a shift against a reference set (the expert baseline), from one cached embedding per
/// image and encoder (DESIGN section 5): FID, KID (unbiased, subsets), CMMD (the reference code's biased
/// estimator, sigma 10, x1000), precision/recall and density/coverage of the image manifold, and the Vendi
/// diversity of the shift; the Inception Score from the reference classifier's softmax on the shift's images.
/// Sets are capped at <see cref="QualitySettings.MaxImages"/> (class-balanced, seeded) because the kernel and
/// manifold metrics are quadratic in the set size. The SELECT paper found such metrics "showed little
/// correlation with actual model performance"; the run's rank-agreement table measures that here.
/// </summary>
[EvalMetric("image-quality")]
public sealed class ImageQualityMetric : IEvalMetric
{
    public IReadOnlyList<string> Requires => ["shift", "reference set", "encoder"];

    public MetricResult Evaluate(EvalInputs inputs, string folder)
    {
        var shiftFull = SuiteInputs.Shift(inputs, "image-quality");
        var encoder = SuiteInputs.Encoder(inputs, "image-quality");
        var referenceFull = inputs.ReferenceSet
            ?? throw new Common.SelectBenchException("Metric 'image-quality' needs a reference set (the expert baseline) to compare the shift with.");
        var q = inputs.Settings.Quality;
        var shift = ClassBalanced.AtMost(shiftFull, q.MaxImages, q.Seed);
        var reference = ClassBalanced.AtMost(referenceFull, q.MaxImages, q.Seed);
        var a = SuiteInputs.Embed(inputs, encoder, shift, "the shift");
        var b = SuiteInputs.Embed(inputs, encoder, reference, "the reference set");
        var kid = KernelInceptionDistance.Compute(b, a, new KidSettings(SubsetSize: Math.Min(1000, Math.Min(a.Count, b.Count)), Seed: q.Seed));
        var manifold = ManifoldMetrics.Compute(b, a);
        var values = new Dictionary<string, Interval>
        {
            ["fid"] = Interval.Point(FrechetInceptionDistance.Compute(b, a), a.Count),
            ["kid"] = new Interval(kid.Mean, kid.Mean - kid.Std, kid.Mean + kid.Std, kid.Subsets),
            ["cmmd"] = Interval.Point(Cmmd.Compute(b, a), a.Count),
            ["precision"] = Interval.Point(manifold.Precision, a.Count),
            ["recall"] = Interval.Point(manifold.Recall, a.Count),
            ["density"] = Interval.Point(manifold.Density, a.Count),
            ["coverage_manifold"] = Interval.Point(manifold.Coverage, a.Count),
            ["vendi"] = Interval.Point(VendiScore.Compute(a), a.Count),
        };
        if (inputs.ReferenceClassifier is { } refModel)
        {
            var probs = refModel.PredictProbabilities(shift);
            var score = InceptionScore.Compute(probs, shift.Count, refModel.LabelSet.Count);
            values["inception_score"] = new Interval(score.Mean, score.Mean - score.Std, score.Mean + score.Std, score.Splits);
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
