using SelectBench.Common;
using SelectBench.Running;
using SelectBench.Worlds.FashionMnistPlus;
using SelectBench.Worlds;

namespace SelectBench.Benchmark;

/// <summary>Settings of the world job: exactly one of the run config's `world:` (FashionMNIST++ or a prebuilt world) and `data:` (a data-source world).</summary>
public sealed record WorldJobSettings(RunWorldSettings? World = null, SourceWorldSettings? Data = null) : ISettings
{
    public void Validate(string where)
    {
        if (World is null && Data is null) throw new SelectBenchException($"{where}: world settings are missing.");
        World?.Validate($"{where}.world");
    }
}

/// <summary>
/// Builds the run's world: FashionMNIST++ (config `world:`) or a data-source world (config `data:`). Either is built
/// part by part in the work folder, so a killed build resumes at the unfinished part.
/// </summary>
[Registered(KindName, Description = "Builds (or links) the run's world, part by part, resumable", Settings = typeof(WorldJobSettings))]
public sealed class WorldJobKind(WorldJobSettings settings) : IJobKind
{
    public const string KindName = "world";

    /// <summary>result.json of the world job.</summary>
    /// <param name="Fingerprint">The world's content fingerprint (IBenchmarkWorld.Fingerprint).</param>
    public sealed record Result(string Fingerprint, int Classes, int Test, IReadOnlyDictionary<string, int> NaturalSets,
        IReadOnlyList<string> TransferTasks, IReadOnlyDictionary<string, int> CurationSets);

    public void Run(JobContext context)
    {
        var work = Path.Combine(context.WorkDir, BenchmarkInputs.WorldFolder);
        context.UseEngine();
        if (settings.Data is { } data)
        {
            using var built = SourceWorld.Build(data, work, context.Log.WriteLine);
        }
        else if (settings.World!.Path is { } path)
            BenchmarkInputs.LinkWorld(path, settings.World.Fingerprint!, work, context.Log.WriteLine);
        else
        {
            using var built = FashionMnistPlusWorld.Build(settings.World.Resolve(), work, context.Log.WriteLine);
        }
        var output = Path.Combine(context.OutputDir, BenchmarkInputs.WorldFolder);
        BenchmarkInputs.Publish(work, output);
        using var world = BenchmarkInputs.OpenWorld(output);
        context.Log.WriteLine($"world {world.Fingerprint}: test {world.Test.Count:N0}, encoder fit set {world.EncoderFitSet.Count:N0}");
        context.WriteResult(new Result(world.Fingerprint, world.Labels.Count, world.Test.Count,
            world.NaturalSets.ToDictionary(s => s.Name, s => s.Images.Count), world.TransferTasks.Select(t => t.Name).ToArray(),
            world.Curation.Sets.ToDictionary(p => p.Key, p => p.Value.Count)));
    }
}
