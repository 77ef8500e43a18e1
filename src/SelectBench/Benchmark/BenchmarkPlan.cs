using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Evaluation.Suite;
using SelectBench.Running;

namespace SelectBench.Benchmark;

/// <summary>
/// Turns a <see cref="RunConfig"/> into the job graph of a benchmark run (docs/running.md):
/// <code>
/// world                                   build the FashionMNIST++ world
/// encoder                                 train the fixed SSL encoder on the pool (evaluation.encoder: ssl)
/// corrupt                                 corrupt the test subset once for every evaluation
/// score/&lt;shift&gt;                           scoring run of a shift whose strategy has one (el2n-pruning)
/// curate/&lt;shift&gt;                          one per shift
/// train/&lt;shift&gt;/seed&lt;s&gt;                   one per shift and seed
/// train/&lt;reference&gt;-f&lt;fraction&gt;/seed&lt;s&gt;     expert fractions, for the expert-equivalent size
/// evaluate/&lt;...&gt;/seed&lt;s&gt;                  model metrics of each trained model (base only for fractions)
/// analyse/&lt;shift&gt;                         shift metrics (kNN, analytics, label and image quality)
/// report                                  statistics, leaderboard and report
/// </code>
/// Each job's settings hold everything it depends on, so its key (and a rerun's decision to skip it)
/// changes exactly when its inputs change.
/// </summary>
public static class BenchmarkPlan
{
    /// <summary>
    /// Goes into every job key. Bump it when a job kind's output changes meaning, so old results are not reused;
    /// plain code edits that keep results valid do not invalidate a run.
    /// </summary>
    /// 2: exact, CPU-independent pixel PCA and search (the same config can give other shifts than version 1's), content
    /// fingerprints in the curate and world results.
    public const string CodeVersion = "selectbench-run-2";

    public const string WorldJob = "world";
    public const string EncoderJob = "encoder";
    public const string CorruptJob = "corrupt";
    public const string ReportJob = "report";

    public static string CurateJob(string shift) => $"curate/{shift}";
    public static string ScoreJob(string shift) => $"score/{shift}";
    public static string TrainJob(string model, int seed) => $"train/{model}/seed{seed}";
    public static string EvaluateJob(string model, int seed) => $"evaluate/{model}/seed{seed}";
    public static string AnalyseJob(string shift) => $"analyse/{shift}";

    /// <summary>The model name of an expert-fraction run, e.g. "expert-f0.125".</summary>
    public static string FractionModel(string reference, double fraction) =>
        string.Create(CultureInfo.InvariantCulture, $"{reference}-f{fraction:0.####}");

    public static JobPlan Build(RunConfig config) => JobPlan.Build(Specs(config), CodeVersion);

    public static IReadOnlyList<JobSpec> Specs(RunConfig config)
    {
        var jobs = new List<JobSpec>();
        // The world and the SSL encoder are single jobs every later stage waits for: they get every core.
        var worldSettings = config.Data is { } data ? new JsonObject { ["data"] = Node(data) } : new JsonObject { ["world"] = Node(config.World) };
        jobs.Add(new JobSpec(WorldJob, "world", WorldJobKind.KindName, worldSettings) { Exclusive = true });

        var evaluation = config.Evaluation;
        bool ssl = evaluation.Encoder == "ssl" && EvalMetrics.AnyReads(evaluation.Suite, MetricInputs.Encoder);
        if (ssl) jobs.Add(EncoderSpec(config));

        foreach (var shift in config.Curation.Shifts)
        {
            var curation = new JsonObject { ["shift"] = shift.Name, ["curation"] = JsonNode.Parse(config.CurationJson(shift.Name)) };
            if (!CurationRun.HasScoringStep(shift.Strategy))
            {
                jobs.Add(new JobSpec(CurateJob(shift.Name), "curate", CurateJobKind.KindName, curation, [WorldJob]));
                continue;
            }
            // The scoring run (e.g. el2n-pruning's short trainings) is a job of its own; the curate job reads its scores.
            jobs.Add(new JobSpec(ScoreJob(shift.Name), "score", ScoreJobKind.KindName, (JsonObject)curation.DeepClone(), [WorldJob]));
            curation["score_job"] = ScoreJob(shift.Name);
            jobs.Add(new JobSpec(CurateJob(shift.Name), "curate", CurateJobKind.KindName, curation, [WorldJob, ScoreJob(shift.Name)]));
        }

        var modelSuite = evaluation.ModelSuite;
        var evalSettings = EvaluationNode(evaluation, modelSuite);
        var corrupting = modelSuite.Where(m => EvalMetrics.AnyReads([m], MetricInputs.CorruptedSets)).ToList();
        bool corrupt = corrupting.Count > 0;
        if (corrupt)
            jobs.Add(new JobSpec(CorruptJob, "corrupt", CorruptJobKind.KindName,
                new JsonObject { ["evaluation"] = EvaluationNode(evaluation, corrupting) }, [WorldJob]));
        var trainedModels = new List<(string Model, int Seed)>();
        foreach (var shift in config.Curation.Shifts)
            foreach (var seed in config.Seeds)
            {
                jobs.Add(TrainSpec(config, shift.Name, shift.Name, fraction: 1, seed));
                trainedModels.Add((shift.Name, seed));
                if (modelSuite.Count > 0)
                    jobs.Add(EvaluateSpec(shift.Name, seed, evalSettings, corrupt));
            }
        var fractionModels = new List<string>();
        foreach (var fraction in config.ExpertFractions)
        {
            var model = FractionModel(config.ReferenceShift, fraction);
            fractionModels.Add(model);
            foreach (var seed in config.Seeds)
            {
                jobs.Add(TrainSpec(config, model, config.ReferenceShift, fraction, seed));
                jobs.Add(EvaluateSpec(model, seed, EvaluationNode(evaluation, [BaseAccuracyMetric.Name]), corrupt: false));
            }
        }

        var shiftSuite = evaluation.ShiftSuite;
        if (shiftSuite.Count > 0)
        {
            int first = config.Seeds[0];
            foreach (var shift in config.Curation.Shifts)
            {
                var deps = new List<string> { WorldJob, CurateJob(shift.Name), CurateJob(config.ReferenceShift) };
                if (ssl) deps.Add(EncoderJob);
                if (EvalMetrics.AnyReads(shiftSuite, MetricInputs.ReferenceModel)) deps.Add(TrainJob(config.ReferenceShift, first));
                if (EvalMetrics.AnyReads(shiftSuite, MetricInputs.ExpertPerClass) && ProvidesExpertPerClass(evaluation))
                    deps.Add(EvaluateJob(config.ReferenceShift, first));
                jobs.Add(new JobSpec(AnalyseJob(shift.Name), "analyse", AnalyseJobKind.KindName, new JsonObject
                {
                    ["shift"] = shift.Name,
                    ["reference_shift"] = config.ReferenceShift,
                    ["reference_model"] = TrainJob(config.ReferenceShift, first),
                    ["reference_evaluation"] = EvaluateJob(config.ReferenceShift, first),
                    ["encoder"] = evaluation.Encoder,
                    ["evaluation"] = EvaluationNode(evaluation, shiftSuite),
                }, deps.Distinct().ToArray()));
            }
        }

        // The world job too: the report shows the world's fingerprint.
        var reportDeps = jobs.Where(j => j.Stage is "world" or "curate" or "evaluate" or "analyse" or "train").Select(j => j.Id).ToArray();
        jobs.Add(new JobSpec(ReportJob, "report", ReportJobKind.KindName, new JsonObject
        {
            ["run_name"] = config.Name,
            ["profile"] = config.Profile,
            ["config_hash"] = config.Hash,
            ["shifts"] = new JsonArray(config.Curation.Shifts.Select(s => (JsonNode)s.Name).ToArray()),
            ["reference_shift"] = config.ReferenceShift,
            ["seeds"] = new JsonArray(config.Seeds.Select(s => (JsonNode)s).ToArray()),
            ["expert_fractions"] = new JsonArray(config.ExpertFractions.Select(f => (JsonNode)f).ToArray()),
            ["fraction_models"] = new JsonArray(fractionModels.Select(m => (JsonNode)m).ToArray()),
            ["model_suite"] = new JsonArray(modelSuite.Select(m => (JsonNode)m).ToArray()),
            ["shift_suite"] = new JsonArray(shiftSuite.Select(m => (JsonNode)m).ToArray()),
            ["settings"] = new JsonObject
            {
                ["world"] = config.Data is not null ? "data sources"
                    : config.World.Path is { } path ? $"prebuilt world at {path}" : $"FashionMNIST++ {config.World.Profile}",
                ["shift_size"] = config.Curation.TargetSize,
                ["model"] = config.Training.Model,
                ["width"] = config.Training.Width,
                ["epochs"] = config.Training.Epochs,
                ["batch_size"] = config.Training.BatchSize,
                ["learning_rate"] = config.Training.LearningRate,
                ["encoder"] = evaluation.Encoder,
                ["corruption_images"] = evaluation.Settings<CorruptionSettings>().CorruptionImages,
                ["transfer_steps"] = evaluation.Settings<TransferMetricSettings>().Transfer.Steps,
                ["executor"] = config.Executor.Kind,
            },
        }, reportDeps));
        return jobs;
    }

    /// <summary>The SSL encoder job (evaluation.encoder: ssl): trained once on the pool, read by every metric on the fixed encoder.</summary>
    public static JobSpec EncoderSpec(RunConfig config) =>
        new(EncoderJob, "encoder", SslEncoderJobKind.KindName, new JsonObject { ["ssl"] = Node(config.Evaluation.Ssl) }, [WorldJob]) { Exclusive = true };

    private static JobSpec TrainSpec(RunConfig config, string model, string shift, double fraction, int seed) =>
        new(TrainJob(model, seed), "train", TrainJobKind.KindName, new JsonObject
        {
            ["shift"] = shift,
            ["fraction"] = fraction,
            ["fraction_seed"] = config.Curation.Seed,
            ["expected_images"] = (int)Math.Round(fraction * config.Curation.TargetSize),
            ["recipe"] = Node(config.Training with { Seed = seed, Threads = 0 }),
        }, [WorldJob, CurateJob(shift)]);

    private static JobSpec EvaluateSpec(string model, int seed, JsonNode evaluation, bool corrupt) =>
        new(EvaluateJob(model, seed), "evaluate", EvaluateJobKind.KindName, new JsonObject
        {
            ["model"] = TrainJob(model, seed),
            ["evaluation"] = evaluation.DeepClone(),
        }, corrupt ? [WorldJob, CorruptJob, TrainJob(model, seed)] : [WorldJob, TrainJob(model, seed)]);

    /// <summary>
    /// A rough guess of a job's seconds on a 2-core CPU, only to weight the run's progress bar so its ETA means
    /// something (a training job costs far more than a curation job).
    /// </summary>
    public static double EstimatedSeconds(PlannedJob job) => Settings(job) switch
    {
        WorldJobSettings world => world.Data is not null ? 600 : world.World?.Path is not null ? 5
            : world.World?.Profile switch { "tiny" => 10, "standard" => 900, _ => 60 },
        SslEncoderJobSettings encoder => 5 * encoder.Ssl.Epochs * 60,
        TrainJobSettings train => 1 + train.ExpectedImages * train.Recipe.Epochs * train.Recipe.Width * train.Recipe.Width / 150.0,
        EvaluateJobSettings evaluate => evaluate.Evaluation.Suite.Count <= 1 ? 3
            : 15 + (evaluate.Evaluation.Suite.Contains(TransferMetric.Name) ? evaluate.Evaluation.Settings<TransferMetricSettings>().Transfer.Steps : 0) * 0.6,
        AnalyseJobSettings => 15,
        _ => 5,
    };

    // Bad settings fail their job when it runs (and only that job); here they only cost the bar its weight.
    private static ISettings? Settings(PlannedJob job)
    {
        try
        {
            return JobKinds.Settings(job);
        }
        catch (SelectBenchException)
        {
            return null;
        }
    }

    /// <summary>What the plan gives each evaluation of a trained model (<see cref="EvaluateJobKind"/>); the world may still lack natural sets or transfer tasks.</summary>
    public const MetricInputs ModelEvaluationInputs = MetricInputs.Model | MetricInputs.Checkpoint | MetricInputs.BaseSet
        | MetricInputs.NaturalSets | MetricInputs.TransferTasks | MetricInputs.CorruptedSets;

    /// <summary>What the plan gives each shift's analysis (<see cref="AnalyseJobKind"/>); the expert's per-class accuracy only with the base metric.</summary>
    public const MetricInputs ShiftAnalysisInputs = MetricInputs.Shift | MetricInputs.BaseSet | MetricInputs.ReferenceSet
        | MetricInputs.ReferenceModel | MetricInputs.Encoder | MetricInputs.LeakageSets | MetricInputs.ExpertPerClass;

    /// <summary>Refuses a suite with a metric whose required inputs its evaluations would lack (e.g. a shift metric that needs a model).</summary>
    public static void CheckSuite(RunEvaluationSettings evaluation, string where)
    {
        foreach (var metric in evaluation.ModelSuite)
            EvalMetrics.CheckProvided(metric, ModelEvaluationInputs, where);
        var shiftInputs = ProvidesExpertPerClass(evaluation) ? ShiftAnalysisInputs : ShiftAnalysisInputs & ~MetricInputs.ExpertPerClass;
        foreach (var metric in evaluation.ShiftSuite)
            EvalMetrics.CheckProvided(metric, shiftInputs, where);
    }

    /// <summary>The expert's per-class accuracy comes from the base metric of the reference shift's evaluation.</summary>
    private static bool ProvidesExpertPerClass(RunEvaluationSettings evaluation) => evaluation.ModelSuite.Contains(BaseAccuracyMetric.Name);

    /// <summary>
    /// The evaluation section a job gets: its suite and the keys its metrics' settings read, with defaults written out. A job's
    /// key covers exactly these, so changing (say) the transfer steps reruns the evaluations but not the shift analyses.
    /// </summary>
    internal static JsonObject EvaluationNode(RunEvaluationSettings evaluation, IReadOnlyList<string> suite)
    {
        var all = evaluation.AllMetricSettings();
        var node = new JsonObject { ["suite"] = new JsonArray(suite.Select(m => (JsonNode)m).ToArray()) };
        foreach (var key in suite.SelectMany(EvalMetrics.SettingsKeys).Distinct())
            if (all[key] is { } value) node[key] = value.DeepClone();
        return node;
    }

    internal static JsonNode Node<T>(T value) => JsonSerializer.SerializeToNode(value, Json.Options)
        ?? throw new InvalidOperationException($"{typeof(T).Name} serialised to null.");
}
