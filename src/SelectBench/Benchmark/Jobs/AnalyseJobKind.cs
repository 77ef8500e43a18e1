using SelectBench.Common;
using SelectBench.Encoders;
using SelectBench.Encoders.SelfSupervised;
using SelectBench.Evaluation;
using SelectBench.Evaluation.Classifiers;
using SelectBench.Evaluation.Metrics;
using SelectBench.Evaluation.Suite;
using SelectBench.Running;
using SelectBench.Statistics;

namespace SelectBench.Benchmark;

/// <summary>Settings of an analyse job, as <see cref="BenchmarkPlan"/> writes them into plan.json.</summary>
/// <param name="Shift">The shift analysed.</param>
/// <param name="ReferenceShift">The reference (expert) shift image quality compares with.</param>
/// <param name="ReferenceModel">The train job of the reference shift's first seed (image quality), used when the job depends on it.</param>
/// <param name="ReferenceEvaluation">The evaluate job of that model (per-class expert accuracy for analytics), used when the job depends on it.</param>
/// <param name="Encoder">The fixed encoder: "ssl" (the run's encoder job) or an encoder spec.</param>
/// <param name="Evaluation">The shift metrics and the evaluation fields they read (the plan keeps only those).</param>
public sealed record AnalyseJobSettings(string Shift = "", string ReferenceShift = "", string ReferenceModel = "", string ReferenceEvaluation = "",
    string Encoder = "", RunEvaluationSettings Evaluation = null!) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.NotEmpty(where, "shift", Shift);
        SettingRules.NotEmpty(where, "reference_shift", ReferenceShift);
        SettingRules.NotEmpty(where, "encoder", Encoder);
        if (Evaluation is null) throw new SelectBenchException($"{where}: evaluation settings are missing.");
        Evaluation.Validate($"{where}.evaluation");
    }
}

/// <summary>
/// The shift metrics, once per shift (they do not depend on a training seed): SSL kNN on the run's fixed
/// encoder, dataset analytics with the paper's correlations, label quality, and image quality against the
/// reference (expert) shift.
/// </summary>
[Registered(KindName, Description = "Computes the shift metrics once per shift (SSL kNN, analytics, label and image quality)", Settings = typeof(AnalyseJobSettings))]
public sealed class AnalyseJobKind(AnalyseJobSettings settings) : IJobKind
{
    public const string KindName = "analyse";

    public sealed record Result(IReadOnlyDictionary<string, Interval> Values, IReadOnlyDictionary<string, double> Seconds, string Encoder);

    public void Run(JobContext context)
    {
        var evaluation = settings.Evaluation;
        var shiftName = settings.Shift;
        var referenceName = settings.ReferenceShift;
        var encoderSpec = settings.Encoder;
        using var world = BenchmarkInputs.World(context);
        context.UseEngine();
        var shift = BenchmarkInputs.Shift(context, shiftName);
        var reference = BenchmarkInputs.Shift(context, referenceName);
        if (shift.Images.Count == 0)
            throw new SelectBenchException($"shift '{shiftName}' is empty (see {BenchmarkPlan.CurateJob(shiftName)}/result.json); nothing to analyse. Loosen its settings and rerun.");

        var referenceModelJob = settings.ReferenceModel;
        var referenceEvalJob = settings.ReferenceEvaluation;
        bool hasReferenceModel = context.Job.DependsOn.Contains(referenceModelJob);
        bool hasReferenceEval = context.Job.DependsOn.Contains(referenceEvalJob);
        using var referenceClassifier = hasReferenceModel
            ? ClassifierFiles.Open(BenchmarkInputs.Checkpoint(context, referenceModelJob), world.Labels) : null;
        var expertAccuracy = hasReferenceEval
            ? context.DependencyResult<EvaluateJobKind.Result>(referenceEvalJob).PerClassRecall : null;

        // The fixed encoder only when a metric reads one (the plan has an encoder job only then).
        IImageEncoder? encoder = !EvalMetrics.AnyReads(evaluation.Suite, MetricInputs.Encoder) ? null
            : encoderSpec == "ssl"
            ? SelfSupervisedEncoder.Load(Path.Combine(context.DependencyFolder(BenchmarkPlan.EncoderJob), BenchmarkInputs.EncoderFolder))
            : EncoderSpec.Resolve(encoderSpec, () => world.EncoderFitSet, context.Threads);
        try
        {
            var inputs = new EvalInputs
            {
                LabelSet = world.Labels,
                BaseSet = world.Test,
                Shift = shift.Images,
                ShiftTargetSize = shift.Report.TargetSize,
                ReferenceSet = reference.Images,
                LeakageSets = world.LeakageSets,
                Encoder = encoder,
                EmbeddingCacheFolder = Path.Combine(context.WorkDir, "embeddings"),
                ReferenceClassifier = referenceClassifier,
                ExpertPerClassAccuracy = expertAccuracy is { Length: > 0 } ? expertAccuracy : null,
                ExpertClassCounts = reference.Report.ClassCounts,
            };
            var work = Path.Combine(context.WorkDir, "suite");
            var result = EvalSuite.Run(evaluation.CreateMetrics(evaluation.Suite, $"job '{context.Job.Id}'"), inputs, work, cancellationToken: context.Cancellation, onNote: context.Log.WriteLine);
            foreach (var (metric, seconds) in result.Seconds) context.Log.WriteLine($"{metric}: {seconds:F1} s");
            BenchmarkInputs.PublishContents(work, context.OutputDir);
            context.WriteResult(new Result(result.Values, result.Seconds, encoder?.Name ?? "none"));
        }
        finally
        {
            encoder?.Dispose();
        }
    }
}
