using System.Text.Json;
using SelectBench.Common;
using SelectBench.Running;
using SelectBench.Worlds.FashionMnistPlus;
using SelectBench.Worlds;

namespace SelectBench.Benchmark;

/// <summary>
/// Builds the run's world: FashionMNIST++ (config `world:`) or a data-source world (config `data:`). Either is built
/// part by part in the work folder, so a killed build resumes at the unfinished part.
/// </summary>
public sealed class WorldJobKind : IJobKind
{
    public const string KindName = "world";
    public string Name => KindName;

    /// <summary>result.json of the world job.</summary>
    /// <param name="Fingerprint">The world's content fingerprint (IBenchmarkWorld.Fingerprint).</param>
    public sealed record Result(string Fingerprint, int Classes, int Test, IReadOnlyDictionary<string, int> NaturalSets,
        IReadOnlyList<string> TransferTasks, IReadOnlyDictionary<string, int> CurationSets);

    public void Run(JobContext context)
    {
        var work = Path.Combine(context.WorkDir, BenchmarkInputs.WorldFolder);
        context.UseEngine();
        if (context.Job.Settings["data"] is { } data)
        {
            var settings = data.Deserialize<SourceWorldSettings>(Json.Options)
                           ?? throw new SelectBenchException($"job '{context.Job.Id}': data settings are missing.");
            using var built = SourceWorld.Build(settings, work, context.Log.WriteLine);
        }
        else
        {
            var settings = context.Job.Settings["world"].Deserialize<RunWorldSettings>(Json.Options)
                           ?? throw new SelectBenchException($"job '{context.Job.Id}': world settings are missing.");
            if (settings.Path is { } path)
                BenchmarkInputs.LinkWorld(path, settings.Fingerprint!, work, context.Log.WriteLine);
            else
            {
                using var built = FashionMnistPlusWorld.Build(settings.Resolve(), work, context.Log.WriteLine);
            }
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
