using SelectBench.Common;
using SelectBench.Encoders;
using SelectBench.Encoders.SelfSupervised;
using SelectBench.Running;

namespace SelectBench.Benchmark.Prediction;

/// <summary>Settings of a linear-probe job, as <see cref="PredictionPlan"/> writes them.</summary>
/// <param name="Shift">The shift whose images and labels fit the probe.</param>
/// <param name="Encoder">The fixed encoder: "ssl" (the run's encoder job) or an encoder spec such as "pca:64".</param>
public sealed record LinearProbeJobSettings(string Shift = "", string Encoder = "", LinearProbeSettings? Probe = null) : ISettings
{
    public LinearProbeSettings Probe { get; init; } = Probe ?? new LinearProbeSettings();

    public void Validate(string where)
    {
        SettingRules.NotEmpty(where, "shift", Shift);
        SettingRules.NotEmpty(where, "encoder", Encoder);
        Probe.Validate($"{where}.probe");
    }
}

/// <summary>
/// The linear-probe proxy (docs/prediction.md): embeds the shift and the base set with the run's fixed encoder, fits
/// <see cref="LinearProbe"/> on the shift and scores top-1 on the base set. Cheaper than any training and, unlike the kNN
/// metric, it learns a decision rule from the shift's labels.
/// </summary>
[Registered(KindName, Description = "Fits a linear probe on the fixed encoder's features of one shift and scores top-1 on the base set",
    Settings = typeof(LinearProbeJobSettings))]
public sealed class LinearProbeJobKind(LinearProbeJobSettings settings) : IJobKind
{
    public const string KindName = "linear-probe";

    public sealed record Result(string Shift, string Encoder, int Images, int Dimension, IReadOnlyDictionary<string, double> Values);

    public void Run(JobContext context)
    {
        using var world = BenchmarkInputs.World(context);
        context.UseEngine();
        var shift = BenchmarkInputs.Shift(context, settings.Shift).Images;
        if (shift.Count == 0)
            throw new SelectBenchException($"shift '{settings.Shift}' is empty (see {BenchmarkPlan.CurateJob(settings.Shift)}/result.json); nothing to fit a probe on.");
        using IImageEncoder encoder = settings.Encoder == "ssl"
            ? SelfSupervisedEncoder.Load(Path.Combine(context.DependencyFolder(BenchmarkPlan.EncoderJob), BenchmarkInputs.EncoderFolder))
            : EncoderSpec.Resolve(settings.Encoder, () => world.EncoderFitSet, context.Threads);
        var cache = Path.Combine(context.WorkDir, "embeddings");
        var train = EmbeddingCache.GetOrCompute(encoder, shift, cache);
        var test = EmbeddingCache.GetOrCompute(encoder, world.Test, cache);
        var model = LinearProbe.Fit(train, shift.Labels, world.Labels.Count, settings.Probe);
        double top1 = LinearProbe.Top1(model, test, world.Test.Labels);
        context.Log.WriteLine($"linear probe on {shift.Count:N0} images x {train.Dimension} features ({encoder.Name}): base top-1 {top1:F4}");
        context.WriteResult(new Result(settings.Shift, encoder.Name, shift.Count, train.Dimension,
            new Dictionary<string, double> { [ProxyLadder.ProbeTop1Key] = top1 }));
    }
}
