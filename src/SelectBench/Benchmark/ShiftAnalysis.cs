using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Evaluation;
using SelectBench.Evaluation.Suite;

namespace SelectBench.Benchmark;

/// <summary>
/// `selectbench analyse`: the shift metrics on one shift, without training a model (docs/metrics.md): dataset analytics,
/// label quality, SSL kNN under a fixed encoder, and image quality against reference images when there are some,
/// with the Inception Score when a reference classifier is given.
/// </summary>
public static class ShiftAnalysis
{
    /// <summary>The default suite's shift metrics that what `analyse` has (a shift, a base set, an encoder, and maybe reference images) can feed.</summary>
    public static IReadOnlyList<string> Metrics(bool hasReference)
    {
        var provided = MetricInputs.Shift | MetricInputs.BaseSet | MetricInputs.Encoder | MetricInputs.LeakageSets
                       | (hasReference ? MetricInputs.ReferenceSet : MetricInputs.None);
        return EvalMetrics.OfScope(EvalMetrics.DefaultSuite, MetricScope.Shift)
            .Where(m => (EvalMetrics.Declaration(m).Requires & ~provided) == MetricInputs.None).ToList();
    }

    /// <summary>
    /// Runs <see cref="Metrics"/> on <paramref name="shift"/> and writes metrics.json and one folder per metric into
    /// <paramref name="outDir"/> (a metric already there is read back unless <paramref name="force"/>).
    /// </summary>
    /// <param name="baseSet">The base eval set: kNN queries and the leakage check; the encoder is fitted on it.</param>
    /// <param name="encoderSpec">The fixed encoder (<see cref="EncoderSpec.Help"/>).</param>
    /// <param name="nominalPerClass">Nominal images per class for LT@t; null: the shift's N/K.</param>
    /// <param name="referenceClassifier">The classifier whose softmax on the shift gives the Inception Score (image quality,
    /// so only with <paramref name="reference"/>); null: no Inception Score.</param>
    public static SuiteResult Run(ImageSet shift, ImageSet baseSet, ImageSet? reference, string encoderSpec, int? nominalPerClass,
        string outDir, bool force = false, CancellationToken cancellation = default, IImageClassifier? referenceClassifier = null)
    {
        using var encoder = EncoderSpec.Resolve(encoderSpec, () => baseSet);
        var inputs = new EvalInputs
        {
            LabelSet = shift.LabelSet,
            Shift = shift,
            BaseSet = baseSet,
            ReferenceSet = reference,
            ReferenceClassifier = referenceClassifier,
            LeakageSets = [new NaturalEvalSet("base", baseSet)],
            Encoder = encoder,
            EmbeddingCacheFolder = Path.Combine(outDir, "embeddings"),
        };
        var section = EvalMetrics.With(null, new DatasetAnalyticsSettings(nominalPerClass));
        var metrics = Metrics(reference is not null).Select(m => EvalMetrics.Create(m, section, "analyse")).ToList();
        return EvalSuite.Run(metrics, inputs, outDir, force, cancellation);
    }
}
