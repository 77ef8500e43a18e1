using System.ComponentModel;
using System.Diagnostics;
using SelectBench.Worlds.FashionMnistPlus;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>Builds (or finishes, or checks) the FashionMNIST++ world in a folder.</summary>
[CliCommand("world fashion-mnist", "Build the FashionMNIST++ world: E/G/W/H partition, pool with distractors, simulated crowd, generator, eval sets, transfer tasks",
    Examples = ["world fashion-mnist --out worlds/fmnist-quick", "world fashion-mnist --out worlds/tiny --profile tiny --seed 1"])]
public sealed class WorldCommand : Command<WorldCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("World folder (parts already present are skipped, so a rerun is instant and a killed build resumes)")]
        [DefaultValue("worlds/fashion-mnist-plus")]
        public string Out { get; init; } = "worlds/fashion-mnist-plus";

        [CommandOption("--seed <SEED>")]
        [Description("Seed of the partition, distractors, crowd, generator, reference models and transfer tasks")]
        [DefaultValue(0L)]
        public long Seed { get; init; }

        [CommandOption("--profile <PROFILE>")]
        [Description("tiny (CI, seconds), quick (full partition, minutes) or standard (longer generator and reference-model training)")]
        [DefaultValue("quick")]
        public string Profile { get; init; } = "quick";

        [CommandOption("--fashion-mnist <DIR>")]
        [Description("Folder with the four Fashion-MNIST IDX files (default: $SELECTBENCH_FASHION_MNIST, /usr/share/datasets/fashion-mnist, the cache)")]
        public string? FashionMnist { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var worldSettings = FashionMnistPlusSettings.ForProfile(settings.Profile, settings.Seed);
        using var world = FashionMnistPlusWorld.Build(worldSettings, settings.Out, Console.WriteLine, settings.FashionMnist);
        Console.WriteLine();
        Console.WriteLine($"world:     {world.Folder} (profile {world.Settings.Profile}, seed {world.Settings.Seed})");
        Console.WriteLine($"sets:      E {world.Expert.Count:N0}, G {world.GeneratorTraining.Count:N0}, pool {world.Pool.Count:N0}, H {world.HeldOut.Count:N0}");
        Console.WriteLine($"eval:      {string.Join(", ", world.EvalSets.Select(kv => $"{kv.Key} {kv.Value.Count:N0}"))}");
        Console.WriteLine($"crowd:     {world.Crowd.Images.Count:N0} images, {world.Crowd.Votes.Count:N0} votes (SIMULATED)");
        Console.WriteLine($"transfer:  {string.Join(", ", world.TransferTasks.Select(t => $"{t.Name} {t.Train.Count:N0}/{t.Test.Count:N0}"))}");
        Console.WriteLine($"fingerprint: {world.Fingerprint} (world.json; compare it with another machine's before comparing leaderboards)");
        Console.WriteLine($"wall time: {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }
}
