using SelectBench.Common;
using SelectBench.Evaluation.Suite;
using SelectBench.Running;

namespace SelectBench.Benchmark;

/// <summary>Settings of the corrupt job: the evaluation's suite and corruption images (the fields its key covers).</summary>
public sealed record CorruptJobSettings(RunEvaluationSettings Evaluation = null!) : ISettings
{
    public void Validate(string where)
    {
        if (Evaluation is null) throw new SelectBenchException($"{where}: evaluation settings are missing.");
        Evaluation.Validate($"{where}.evaluation");
    }
}

/// <summary>Corrupts the test subset once (15 corruptions x 5 severities) into a cache that every evaluation reads.</summary>
[Registered(KindName, Description = "Corrupts the test subset once into a cache every evaluation reads", Settings = typeof(CorruptJobSettings))]
public sealed class CorruptJobKind(CorruptJobSettings settings) : IJobKind
{
    public const string KindName = "corrupt";

    public void Run(JobContext context)
    {
        var evaluation = settings.Evaluation;
        using var world = BenchmarkInputs.World(context);
        var cache = Path.Combine(context.OutputDir, BenchmarkInputs.CorruptionCacheFolder);
        var corruption = evaluation.Settings<CorruptionSettings>();
        int images = CorruptionMetric.Precompute(world.Test, corruption, cache, context.Cancellation);
        context.WriteResult(new { Images = images, Sets = (corruption.Corruptions?.Count ?? Evaluation.Corruptions.Corruptions.Names.Count) * 5 });
    }
}
