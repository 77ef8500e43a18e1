using System.ComponentModel;
using System.Diagnostics;
using SelectBench.Worlds;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>Verifies a world archive member by member and extracts it into a new folder.</summary>
[CliCommand("world import", "Verify a world archive (every file's SHA-256 and the world's fingerprint) and extract it into a new folder",
    Examples = ["world import fmnist-quick.tar --out worlds/fmnist", "world import fmnist-quick.tar.gz --out /shared/worlds/fmnist"])]
public sealed class WorldImportCommand : Command<WorldImportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<ARCHIVE>")]
        [Description("An archive written by 'selectbench world export'")]
        public string Archive { get; init; } = "";

        [CommandOption("--out <DIR>")]
        [Description("The new world folder (must not exist or be empty); use it with 'curate --world DIR' or a run config's world: { path: DIR }")]
        public string Out { get; init; } = "";

        public override Spectre.Console.ValidationResult Validate() => string.IsNullOrWhiteSpace(Out)
            ? Spectre.Console.ValidationResult.Error("--out is required: the folder to import the world into.")
            : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var manifest = WorldArchive.Import(settings.Archive, settings.Out, Console.WriteLine);
        Console.WriteLine($"world:       {Path.GetFullPath(settings.Out)} ({manifest.Kind})");
        Console.WriteLine($"fingerprint: {manifest.Fingerprint}");
        Console.WriteLine($"wall time:   {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }
}
