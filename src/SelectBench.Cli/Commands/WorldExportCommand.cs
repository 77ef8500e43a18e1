using System.ComponentModel;
using System.Diagnostics;
using SelectBench.Data;
using SelectBench.Worlds;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>Writes a finished world into one archive that another machine imports bit for bit.</summary>
[CliCommand("world export", "Write a world into one tar archive (every file with its SHA-256, and the world's fingerprint) for a team to share",
    Examples = ["world export worlds/fmnist --out fmnist-quick.tar", "world export worlds/fmnist --out fmnist-quick.tar.gz"])]
public sealed class WorldExportCommand : Command<WorldExportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<WORLD>")]
        [Description("A finished world folder (FashionMNIST++ or a run's data-source world)")]
        public string World { get; init; } = "";

        [CommandOption("--out <FILE>")]
        [Description("The archive to write (.tar, or .tar.gz / .tgz for gzip)")]
        public string Out { get; init; } = "";

        public override Spectre.Console.ValidationResult Validate() => string.IsNullOrWhiteSpace(Out)
            ? Spectre.Console.ValidationResult.Error("--out is required: the archive to write, e.g. --out world.tar.")
            : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var manifest = WorldArchive.Export(settings.World, settings.Out, Console.WriteLine);
        Console.WriteLine($"archive:     {Path.GetFullPath(settings.Out)} ({new FileInfo(settings.Out).Length / 1e6:F1} MB)");
        Console.WriteLine($"fingerprint: {manifest.Fingerprint}");
        Console.WriteLine($"import with: selectbench world import {Path.GetFileName(settings.Out)} --out <folder>  ({ContentFingerprint.Short(manifest.Fingerprint)} must match)");
        Console.WriteLine($"wall time:   {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }
}
