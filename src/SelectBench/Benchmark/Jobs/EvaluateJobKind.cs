using SelectBench.Common;
using SelectBench.Evaluation.Classifiers;
using SelectBench.Evaluation.Metrics;
using SelectBench.Evaluation.Suite;
using SelectBench.Running;
using SelectBench.Statistics;

namespace SelectBench.Benchmark;

/// <summary>Settings of an evaluate job, as <see cref="BenchmarkPlan"/> writes them into plan.json.</summary>
/// <param name="Model">The train job whose checkpoint is scored.</param>
/// <param name="Evaluation">The model metrics and the evaluation fields they read (the plan keeps only those, so the job's key covers exactly them).</param>
public sealed record EvaluateJobSettings(string Model = "", RunEvaluationSettings Evaluation = null!) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.NotEmpty(where, "model", Model);
        if (Evaluation is null) throw new SelectBenchException($"{where}: evaluation settings are missing.");
        Evaluation.Validate($"{where}.evaluation");
    }
}

/// <summary>
/// Scores one trained model with the model metrics (base, natural, corruptions, transfer) on the world's
/// eval sets. The per-metric folders keep every export (probabilities, per-sample CSV, corruption errors).
/// </summary>
[Registered(KindName, Description = "Scores one trained model with the model metrics on the world's eval sets", Settings = typeof(EvaluateJobSettings))]
public sealed class EvaluateJobKind(EvaluateJobSettings settings) : IJobKind
{
    public const string KindName = "evaluate";

    /// <param name="PerClassRecall">Base-set recall per class, label-set order (empty without 'base').</param>
    /// <param name="CorruptionTop1">Corruption -> top-1 at severities 1..5 (empty without 'corruptions').</param>
    public sealed record Result(IReadOnlyDictionary<string, Interval> Values, IReadOnlyDictionary<string, double> Seconds,
        double[] PerClassRecall, IReadOnlyDictionary<string, double[]> CorruptionTop1);

    public void Run(JobContext context)
    {
        var evaluation = settings.Evaluation;
        var trainJob = settings.Model;
        using var world = BenchmarkInputs.World(context);
        context.UseEngine();
        var checkpoint = BenchmarkInputs.Checkpoint(context, trainJob);
        using var classifier = ClassifierFiles.Open(checkpoint, world.Labels);
        string? cache = EvalMetrics.AnyReads(evaluation.Suite, MetricInputs.CorruptedSets)
            ? Path.Combine(context.DependencyFolder(BenchmarkPlan.CorruptJob), BenchmarkInputs.CorruptionCacheFolder)
            : null;
        var inputs = new EvalInputs
        {
            LabelSet = world.Labels,
            Classifier = classifier,
            CheckpointPath = checkpoint,
            BaseSet = world.Test,
            NaturalSets = world.NaturalSets,
            TransferTasks = world.TransferTasks,
            CorruptedSetCacheFolder = cache,
        };
        // Metrics resume inside the work folder; the finished folder is published whole.
        var work = Path.Combine(context.WorkDir, "suite");
        var result = EvalSuite.Run(evaluation.CreateMetrics(evaluation.Suite, $"job '{context.Job.Id}'"), inputs, work, cancellationToken: context.Cancellation, onNote: context.Log.WriteLine);
        foreach (var (metric, seconds) in result.Seconds) context.Log.WriteLine($"{metric}: {seconds:F1} s");
        var perClass = result.DetailsOf<BaseAccuracyDetails>(BaseAccuracyMetric.Name)?.PerClass.Select(c => c.Recall.Estimate).ToArray() ?? [];
        var grid = result.DetailsOf<CorruptionDetails>(CorruptionMetric.Name)?.Top1ByCorruptionAndSeverity ?? new Dictionary<string, double[]>();
        BenchmarkInputs.PublishContents(work, context.OutputDir);
        context.WriteResult(new Result(result.Values, result.Seconds, perClass, grid));
    }
}
