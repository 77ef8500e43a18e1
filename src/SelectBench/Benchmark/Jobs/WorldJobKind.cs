using System.Text.Json;
using SelectBench.Common;
using SelectBench.Running;
using SelectBench.Worlds.FashionMnistPlus;

namespace SelectBench.Benchmark;

/// <summary>
/// Builds the run's world: FashionMNIST++ (config `world:`) or a data-source world (config `data:`). Either is built
/// part by part in the work folder, so a killed build resumes at the unfinished part.
/// </summary>
public sealed class WorldJobKind : IJobKind
{
    public const string KindName = "world";
    public string Name => KindName;

    public void Run(JobContext context)
    {
        var work = Path.Combine(context.WorkDir, BenchmarkInputs.WorldFolder);
        context.Log.WriteLine(SelectBench.Engine.TorchEngine.EnsureReady(context.Threads).Summary);
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
            using var built = FashionMnistPlusWorld.Build(settings.Resolve(), work, context.Log.WriteLine);
        }
        var output = Path.Combine(context.OutputDir, BenchmarkInputs.WorldFolder);
        BenchmarkInputs.Publish(work, output);
        using var world = BenchmarkInputs.OpenWorld(output);
        context.Log.WriteLine($"world {world.ContentHash}: test {world.Test.Count:N0}, encoder fit set {world.EncoderFitSet.Count:N0}");
        context.WriteResult(new
        {
            world.ContentHash,
            Classes = world.Labels.Count,
            Test = world.Test.Count,
            NaturalSets = world.NaturalSets.ToDictionary(s => s.Name, s => s.Images.Count),
            TransferTasks = world.TransferTasks.Select(t => t.Name).ToArray(),
            CurationSets = world.Curation.Sets.ToDictionary(p => p.Key, p => p.Value.Count),
        });
    }
}
