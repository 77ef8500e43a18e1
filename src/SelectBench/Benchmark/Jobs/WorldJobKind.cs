using System.Text.Json;
using SelectBench.Common;
using SelectBench.Running;
using SelectBench.Worlds.FashionMnistPlus;

namespace SelectBench.Benchmark;

/// <summary>Builds the FashionMNIST++ world. It is built part by part in the work folder, so a killed build resumes at the unfinished part.</summary>
public sealed class WorldJobKind : IJobKind
{
    public const string KindName = "world";
    public string Name => KindName;

    public void Run(JobContext context)
    {
        var settings = context.Job.Settings["world"].Deserialize<RunWorldSettings>(Json.Options)
                       ?? throw new SelectBenchException($"job '{context.Job.Id}': world settings are missing.");
        var work = Path.Combine(context.WorkDir, BenchmarkInputs.WorldFolder);
        TorchSharp.torch.set_num_threads(context.Threads);
        using (var world = FashionMnistPlusWorld.Build(settings.Resolve(), work, context.Log.WriteLine))
        {
            context.Log.WriteLine($"world {world.ContentHash}: E {world.Expert.Count:N0}, pool {world.Pool.Count:N0}, test {world.Test.Count:N0}");
        }
        var output = Path.Combine(context.OutputDir, BenchmarkInputs.WorldFolder);
        BenchmarkInputs.Publish(work, output);
        using var published = FashionMnistPlusWorld.Load(output);
        context.WriteResult(new
        {
            settings.Profile,
            settings.Seed,
            published.ContentHash,
            Expert = published.Expert.Count,
            Pool = published.Pool.Count,
            Test = published.Test.Count,
            EvalSets = published.EvalSets.ToDictionary(p => p.Key, p => p.Value.Count),
            TransferTasks = published.TransferTasks.Select(t => t.Name).ToArray(),
        });
    }
}
