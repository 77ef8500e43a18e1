using System.Text.Json;
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

/// <summary>
/// The shift metrics, once per shift (they do not depend on a training seed): SSL kNN on the run's fixed
/// encoder, dataset analytics with the paper's correlations, label quality, and image quality against the
/// reference (expert) shift.
/// </summary>
public sealed class AnalyseJobKind : IJobKind
{
    public const string KindName = "analyse";
    public string Name => KindName;

    public sealed record Result(IReadOnlyDictionary<string, Interval> Values, IReadOnlyDictionary<string, double> Seconds, string Encoder);

    public void Run(JobContext context)
    {
        var s = context.Job.Settings;
        var evaluation = s["evaluation"].Deserialize<RunEvaluationSettings>(Json.Options)
                         ?? throw new SelectBenchException($"job '{context.Job.Id}': evaluation settings are missing.");
        var shiftName = s["shift"]!.GetValue<string>();
        var referenceName = s["reference_shift"]!.GetValue<string>();
        var encoderSpec = s["encoder"]!.GetValue<string>();
        using var world = BenchmarkInputs.World(context);
        context.UseEngine();
        var shift = BenchmarkInputs.Shift(context, shiftName);
        var reference = BenchmarkInputs.Shift(context, referenceName);
        if (shift.Images.Count == 0)
            throw new SelectBenchException($"shift '{shiftName}' is empty (see {BenchmarkPlan.CurateJob(shiftName)}/result.json); nothing to analyse. Loosen its settings and rerun.");

        var referenceModelJob = s["reference_model"]!.GetValue<string>();
        var referenceEvalJob = s["reference_evaluation"]!.GetValue<string>();
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
