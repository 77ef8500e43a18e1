using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Evaluation.Suite;

namespace SelectBench.Benchmark;

/// <summary>
/// `selectbench analyse`: the shift metrics on one shift, without training a model (docs/metrics.md): dataset analytics,
/// label quality, SSL kNN under a fixed encoder, and image quality against reference images when there are some.
/// </summary>
public static class ShiftAnalysis
{
    // TODO: derive from the metric registry (the metrics registered per shift whose inputs are present) once it lands.
    private static readonly string[] WithoutReference = ["analytics", "label-quality", "knn"];

    /// <summary>The metrics <see cref="Run"/> computes, in order; image quality needs reference images.</summary>
    public static IReadOnlyList<string> Metrics(bool hasReference) => hasReference ? [.. WithoutReference, "image-quality"] : WithoutReference;

    /// <summary>
    /// Runs <see cref="Metrics"/> on <paramref name="shift"/> and writes metrics.json and one folder per metric into
    /// <paramref name="outDir"/> (a metric already there is read back unless <paramref name="force"/>).
    /// </summary>
    /// <param name="baseSet">The base eval set: kNN queries and the leakage check; the encoder is fitted on it.</param>
    /// <param name="encoderSpec">The fixed encoder (<see cref="EncoderSpec.Help"/>).</param>
    /// <param name="nominalPerClass">Nominal images per class for LT@t; null: the shift's N/K.</param>
    public static SuiteResult Run(ImageSet shift, ImageSet baseSet, ImageSet? reference, string encoderSpec, int? nominalPerClass,
        string outDir, bool force = false)
    {
        var encoder = EncoderSpec.Resolve(encoderSpec, () => baseSet);
        try
        {
            var inputs = new EvalInputs
            {
                LabelSet = shift.LabelSet,
                Shift = shift,
                BaseSet = baseSet,
                ReferenceSet = reference,
                LeakageSets = [new NaturalEvalSet("base", baseSet)],
                Encoder = encoder,
                EmbeddingCacheFolder = Path.Combine(outDir, "embeddings"),
                Settings = new EvalSettings { NominalPerClass = nominalPerClass },
            };
            return EvalSuite.Run(Metrics(reference is not null), inputs, outDir, force);
        }
        finally
        {
            (encoder as IDisposable)?.Dispose();
        }
    }
}
