using System.Text.Json.Nodes;
using SelectBench.Evaluation.Suite;
using SelectBench.Running;

namespace SelectBench.Benchmark.Prediction;

/// <summary>
/// The job graph of `selectbench predict` (docs/prediction.md): the run's world, encoder and curation jobs (the same
/// specs as <see cref="BenchmarkPlan"/>, so the same keys), then one job per proxy and shift (and seed, for the small
/// trainings, each followed by a base-accuracy evaluation):
/// <code>
/// proxy/&lt;metric&gt;/&lt;shift&gt;                    analyse job with one shift metric (knn, label-quality, image-quality, analytics)
/// proxy/linear-probe/&lt;shift&gt;                 softmax regression on the fixed encoder's features
/// proxy/&lt;train-x&gt;/&lt;shift&gt;/seed&lt;s&gt;[/evaluate]  the run's recipe, narrower, shorter or on fewer images; base top-1
/// </code>
/// Every proxy job is an ordinary job: cached by key, resumable, and timed in its status.json, which gives its cost.
/// </summary>
public static class PredictionPlan
{
    /// <summary>Goes into every job key (with the shared jobs' own <see cref="BenchmarkPlan.CodeVersion"/> meaning kept).</summary>
    public const string CodeVersion = BenchmarkPlan.CodeVersion;

    public const string Stage = "proxy";

    public static JobPlan Build(RunConfig config, IReadOnlyList<Proxy> proxies) => JobPlan.Build(Specs(config, proxies), CodeVersion);

    public static IReadOnlyList<JobSpec> Specs(RunConfig config, IReadOnlyList<Proxy> proxies)
    {
        var shared = BenchmarkPlan.Specs(config).Where(j => j.Stage is "world" or "encoder" or "score" or "curate").ToList();
        var jobs = new List<JobSpec>(shared);
        var evaluation = config.Evaluation;
        // The fixed SSL encoder is needed when a proxy reads it, even if the run's own suite does not (a run of base
        // accuracy only has no encoder job): then it is added here, with the same spec and key as a full run's.
        bool ssl = evaluation.Encoder == "ssl" && proxies.Any(p => p.Family == ProxyFamily.Probe
            || (p.Family == ProxyFamily.Metric && (EvalMetrics.Declaration(p.Metric!).Reads & MetricInputs.Encoder) != 0));
        if (ssl && shared.All(j => j.Id != BenchmarkPlan.EncoderJob)) jobs.Insert(1, BenchmarkPlan.EncoderSpec(config));
        var shifts = config.Curation.Shifts.Select(s => s.Name).ToList();
        var reference = config.ReferenceShift;

        foreach (var metric in proxies.Where(p => p.Family == ProxyFamily.Metric).Select(p => p.Metric!).Distinct())
        {
            var reads = EvalMetrics.Declaration(metric).Reads;
            foreach (var shift in shifts)
            {
                var deps = new List<string> { BenchmarkPlan.WorldJob, BenchmarkPlan.CurateJob(shift), BenchmarkPlan.CurateJob(reference) };
                if (ssl && (reads & MetricInputs.Encoder) != 0) deps.Add(BenchmarkPlan.EncoderJob);
                // No reference model: these proxies cost no training (image quality then skips its Inception Score).
                jobs.Add(new JobSpec($"proxy/{metric}/{shift}", Stage, AnalyseJobKind.KindName, new JsonObject
                {
                    ["shift"] = shift,
                    ["reference_shift"] = reference,
                    ["reference_model"] = BenchmarkPlan.TrainJob(reference, config.Seeds[0]),
                    ["reference_evaluation"] = BenchmarkPlan.EvaluateJob(reference, config.Seeds[0]),
                    ["encoder"] = evaluation.Encoder,
                    ["evaluation"] = BenchmarkPlan.EvaluationNode(evaluation, [metric]),
                }, deps.Distinct().ToArray()));
            }
        }

        foreach (var probe in proxies.Where(p => p.Family == ProxyFamily.Probe))
            foreach (var shift in shifts)
            {
                var deps = new List<string> { BenchmarkPlan.WorldJob, BenchmarkPlan.CurateJob(shift) };
                if (ssl) deps.Add(BenchmarkPlan.EncoderJob);
                jobs.Add(new JobSpec(probe.JobId(shift), Stage, LinearProbeJobKind.KindName, new JsonObject
                {
                    ["shift"] = shift,
                    ["encoder"] = evaluation.Encoder,
                    ["probe"] = BenchmarkPlan.Node(new LinearProbeSettings()),
                }, deps.ToArray()));
            }

        var baseOnly = BenchmarkPlan.EvaluationNode(evaluation, [BaseAccuracyMetric.Name]);
        foreach (var training in proxies.Where(p => p.Family == ProxyFamily.Training))
            foreach (var shift in shifts)
                foreach (var seed in config.Seeds)
                {
                    var recipe = Recipe(config, training) with { Seed = seed, Threads = 0 };
                    var trainId = training.TrainJobId(shift, seed);
                    jobs.Add(new JobSpec(trainId, Stage, TrainJobKind.KindName, new JsonObject
                    {
                        ["shift"] = shift,
                        ["fraction"] = training.DataFraction,
                        ["fraction_seed"] = config.Curation.Seed,
                        ["expected_images"] = (int)Math.Round(training.DataFraction * config.Curation.TargetSize),
                        ["recipe"] = BenchmarkPlan.Node(recipe),
                    }, [BenchmarkPlan.WorldJob, BenchmarkPlan.CurateJob(shift)]));
                    jobs.Add(new JobSpec(training.EvaluateJobId(shift, seed), Stage, EvaluateJobKind.KindName, new JsonObject
                    {
                        ["model"] = trainId,
                        ["evaluation"] = baseOnly.DeepClone(),
                    }, [BenchmarkPlan.WorldJob, trainId]));
                }
        return jobs;
    }

    /// <summary>The run's recipe scaled for a training proxy: width, and epochs rounded up with the warm-up scaled alike.</summary>
    public static Training.TrainingRecipe Recipe(RunConfig config, Proxy training)
    {
        var recipe = config.Training;
        if (training.EpochFactor == 1) return recipe with { Width = recipe.Width * training.WidthFactor };
        int epochs = Math.Max(1, (int)Math.Ceiling(recipe.Epochs * training.EpochFactor - 1e-9));
        double warmup = Math.Min(recipe.WarmupEpochs * training.EpochFactor, epochs - 0.5);
        return recipe with { Width = recipe.Width * training.WidthFactor, Epochs = epochs, WarmupEpochs = Math.Max(0, warmup) };
    }
}
