using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using SelectBench.Curation;
using SelectBench.Data;
using SelectBench.Running;
using SelectBench.Worlds;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>Curates the shifts of a config over a world of any kind (<see cref="IBenchmarkWorld"/>); every shift is cached.</summary>
[CliCommand("curate", "Curate shifts (expert, embedding search, class-query search, crowd schema, synthetic) over a world: FashionMNIST++ or one built from data sources",
    Examples = ["curate --world worlds/fashion-mnist-plus --config configs/curation-quick.yaml",
                "curate --world worlds/fashion-mnist-plus --config configs/curation-standard.yaml --shifts expert,crowd-schema --out curated/std"])]
public sealed class CurateCommand : Command<CurateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--world <DIR>")]
        [Description("A world folder: FashionMNIST++ ('selectbench world fashion-mnist'), one built from data sources (a run's world job), or an imported one ('selectbench world import')")]
        public string World { get; init; } = "";

        [CommandOption("--config <FILE>")]
        [Description("Curation config (YAML or JSON); default: configs/curation-quick.yaml when it exists")]
        public string? Config { get; init; }

        [CommandOption("-n|--target-size <N>")]
        [Description("Target size N of every shift (overrides the config's target_size)")]
        public int? N { get; init; }

        [CommandOption("--shifts <NAMES>")]
        [Description("Comma-separated shift names from the config, or 'all'")]
        [DefaultValue("all")]
        public string Shifts { get; init; } = "all";

        [CommandOption("--out <DIR>")]
        [Description("Output folder (shifts in OUT/shifts/<name>); default: <world>/curation-n<N>")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.World))
            throw new Common.BadInputException("--world", "is required: give the folder of a world (build one with 'selectbench world fashion-mnist --out DIR', or import one with 'selectbench world import world.tar --out DIR').");
        var configPath = settings.Config ?? "configs/curation-quick.yaml";
        var config = CurationConfig.Load(configPath, settings.N);
        var clock = Stopwatch.StartNew();
        var folder = WorldFolder.Open(settings.World, "--world");
        using var world = folder.Load();
        Console.WriteLine($"world:  {folder.Path} ({Describe(world)}, fingerprint {ContentFingerprint.Short(world.Fingerprint)}, loaded in {clock.Elapsed.TotalSeconds:F1} s)");
        var outDir = settings.Out ?? Path.Combine(settings.World, $"curation-n{config.TargetSize}");
        var names = settings.Shifts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        using var shutdown = new ShutdownSignal(Console.Error.WriteLine);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token, cancellationToken);
        IReadOnlyList<CuratedShift> results;
        try
        {
            results = CurationRun.Build(world.Curation, config, outDir, names, Console.WriteLine, linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            Console.WriteLine($"cancelled: the shifts built so far are cached in {Path.GetFullPath(outDir)}; rerun the same command to build the rest.");
            return JobExitCode.Cancelled;
        }
        Console.WriteLine();
        Console.WriteLine($"{"shift",-20} {"images",7} {"classes",7} {"noise",7} {"distr.",7} {"dups",5} {"cost $",9} {"fingerprint",-12} {"build s",8}");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name,-20} {r.Shift.Images.Count,7} {r.Shift.Report.ClassesPresent,7} {Percent(r.Audit.NoiseRate),7} {Percent(r.Audit.DistractorRate),7} {r.Audit.Duplicates,5} {r.Shift.TotalCost,9:F2} {ContentFingerprint.Short(r.Fingerprint),-12} {r.Seconds,8:F1}{(r.FromCache ? " (cached)" : "")}"));
            foreach (var w in r.Shift.Report.Warnings) Console.WriteLine($"  warning: {w}");
        }
        Console.WriteLine();
        Console.WriteLine($"out:       {Path.GetFullPath(outDir)}");
        Console.WriteLine($"wall time: {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static string Describe(IBenchmarkWorld world) =>
        world is FashionMnistPlusBenchmarkWorld fashion ? $"profile {fashion.World.Settings.Profile}" : WorldFolder.DataSourcesKind;

    private static string Percent(double rate) =>
        double.IsNaN(rate) ? "n/a" : (100 * rate).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
