using System.Text.Json;
using System.Text.Json.Nodes;
using SelectBench.Common;
using SelectBench.Evaluation.Classifiers;
using SelectBench.Evaluation.Metrics;
using SelectBench.Evaluation.Suite;
using SelectBench.Running;
using SelectBench.Statistics;

namespace SelectBench.Benchmark;

/// <summary>
/// Scores one trained model with the model metrics (base, natural, corruptions, transfer) on the world's
/// eval sets. The per-metric folders keep every export (probabilities, per-sample CSV, corruption errors).
/// </summary>
public sealed class EvaluateJobKind : IJobKind
{
    public const string KindName = "evaluate";
    public string Name => KindName;

    /// <param name="PerClassRecall">Base-set recall per class, label-set order (empty without 'base').</param>
    /// <param name="CorruptionTop1">Corruption -> top-1 at severities 1..5 (empty without 'corruptions').</param>
    public sealed record Result(IReadOnlyDictionary<string, Interval> Values, IReadOnlyDictionary<string, double> Seconds,
        double[] PerClassRecall, IReadOnlyDictionary<string, double[]> CorruptionTop1);

    public void Run(JobContext context)
    {
        var s = context.Job.Settings;
        var evaluation = s["evaluation"].Deserialize<RunEvaluationSettings>(Json.Options)
                         ?? throw new SelectBenchException($"job '{context.Job.Id}': evaluation settings are missing.");
        var trainJob = s["model"]!.GetValue<string>();
        using var world = BenchmarkInputs.World(context);
        context.UseEngine();
        var checkpoint = BenchmarkInputs.Checkpoint(context, trainJob);
        using var classifier = ClassifierFiles.Open(checkpoint, world.Labels);
        string? cache = evaluation.Suite.Contains("corruptions")
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
            Settings = evaluation.ToEvalSettings(cache),
        };
        // Metrics resume inside the work folder; the finished folder is published whole.
        var work = Path.Combine(context.WorkDir, "suite");
        var result = EvalSuite.Run(evaluation.Suite, inputs, work, onNote: context.Log.WriteLine);
        foreach (var (metric, seconds) in result.Seconds) context.Log.WriteLine($"{metric}: {seconds:F1} s");
        var perClass = ReadPerClassRecall(Path.Combine(work, "base", "result.json"));
        var grid = ReadCorruptionGrid(Path.Combine(work, "corruptions", "result.json"));
        BenchmarkInputs.PublishContents(work, context.OutputDir);
        context.WriteResult(new Result(result.Values, result.Seconds, perClass, grid));
    }

    private static double[] ReadPerClassRecall(string path)
    {
        if (!File.Exists(path)) return [];
        var details = JsonNode.Parse(File.ReadAllText(path))?["details"]?["per_class"]?.AsArray();
        return details?.Select(c => c!["recall"]!["estimate"]!.GetValue<double>()).ToArray() ?? [];
    }

    private static Dictionary<string, double[]> ReadCorruptionGrid(string path)
    {
        if (!File.Exists(path)) return [];
        var grid = JsonNode.Parse(File.ReadAllText(path))?["details"]?["top1_by_corruption_and_severity"]?.AsObject();
        return grid?.ToDictionary(p => p.Key, p => p.Value!.AsArray().Select(v => v!.GetValue<double>()).ToArray()) ?? [];
    }
}
