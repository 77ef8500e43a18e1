using System.ComponentModel;
using SelectBench.Benchmark;
using SelectBench.Common;
using SelectBench.Reporting;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>Redraws a finished run's report from its results.json (after a SelectBench upgrade, or to restyle it), without rerunning anything.</summary>
[CliCommand("report", "Redraw report/index.html of a finished run from its results.json",
    Examples = ["report runs/quick"])]
public sealed class ReportCommand : Command<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<run-folder>")]
        [Description("A run folder written by `selectbench run`")]
        public string RunFolder { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var path = Path.Combine(settings.RunFolder, ReportJobKind.ResultsFile);
        if (!File.Exists(path))
            throw new BadInputException(path, "no results.json here; finish the run first (`selectbench run` with the same --out).");
        var written = BenchmarkReport.Write(Json.Read<BenchmarkResults>(path), settings.RunFolder);
        Console.WriteLine($"report:   {Path.GetFullPath(written)}");
        return 0;
    }
}
