using System.Text.Json;
using SelectBench.Common;
using SelectBench.Evaluation.Suite;
using SelectBench.Running;

namespace SelectBench.Benchmark;

/// <summary>Corrupts the test subset once (15 corruptions x 5 severities) into a cache that every evaluation reads.</summary>
public sealed class CorruptJobKind : IJobKind
{
    public const string KindName = "corrupt";
    public string Name => KindName;

    public void Run(JobContext context)
    {
        var evaluation = context.Job.Settings["evaluation"].Deserialize<RunEvaluationSettings>(Json.Options)
                         ?? throw new SelectBenchException($"job '{context.Job.Id}': evaluation settings are missing.");
        using var world = BenchmarkInputs.World(context);
        var cache = Path.Combine(context.OutputDir, BenchmarkInputs.CorruptionCacheFolder);
        var settings = evaluation.Settings<CorruptionSettings>();
        int images = CorruptionMetric.Precompute(world.Test, settings, cache, context.Cancellation);
        context.WriteResult(new { Images = images, Sets = (settings.Corruptions?.Count ?? Evaluation.Corruptions.Corruptions.Names.Count) * 5 });
    }
}
