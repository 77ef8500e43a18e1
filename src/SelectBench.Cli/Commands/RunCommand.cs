using System.ComponentModel;
using System.Globalization;
using SelectBench.Benchmark;
using SelectBench.Evaluation.Suite;
using SelectBench.Reporting;
using SelectBench.Running;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>
/// The product's main job: the whole benchmark from one config (world, six shifts, training over seeds,
/// evaluation, analysis, statistics, leaderboard and report), resumable, on this machine or on Slurm.
/// </summary>
[CliCommand("run", "Run the whole benchmark from a built-in profile or a config: curate, train over seeds, evaluate, report",
    Examples = ["run --profile quick --out runs/quick",
                "run --config configs/run-standard.yaml --out runs/standard --executor slurm",
                "run --profile quick --out runs/quick --force evaluate"])]
public sealed class RunCommand : Command<RunCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--profile <NAME>")]
        [Description("Built-in FashionMNIST++ profile: tiny (CI), quick (about 15 min), standard (about 90 min)")]
        public string? Profile { get; init; }

        [CommandOption("--config <FILE>")]
        [Description("A run config (YAML); see configs/run-quick.yaml")]
        public string? Config { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Run folder; rerunning with the same folder skips finished jobs")]
        public string Out { get; init; } = "";

        [CommandOption("--executor <KIND>")]
        [Description("Where the jobs run, one of the registered executors (local: each job in its own process, so a crash ends only " +
                     "that job, which is retried once; local-threads: each job a thread of this process, for debugging; slurm: job " +
                     "arrays through sbatch). Default: the config's executor.kind (local in the built-in profiles)")]
        public string? Executor { get; init; }

        [CommandOption("--parallel <N>")]
        [Description("local, local-threads: jobs at once (default: the config's executor.parallel; 0 = one per core)")]
        public int? Parallel { get; init; }

        [CommandOption("--force <PATTERN>")]
        [Description("Rerun jobs matching a stage name, an id pattern ('train/*/seed1') or 'all', and their dependants (repeatable)")]
        public string[] Force { get; init; } = [];

        [CommandOption("--slurm-command <CMD>")]
        [Description("Slurm: how a node starts selectbench (default: this repository's ./selectbench)")]
        public string? SlurmCommand { get; init; }

        [CommandOption("--dry-run")]
        [Description("Write and print the job plan without running it")]
        public bool DryRun { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required (the run folder).");
            if ((Profile is null) == (Config is null)) return ValidationResult.Error("give exactly one of --profile NAME or --config FILE.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var config = s.Profile is { } p ? RunProfiles.Load(p) : RunConfig.Load(s.Config!);
        var executor = s.Executor is { } kind ? Executors.Resolve(kind, "--executor") : null;
        using var shutdown = new ShutdownSignal(Console.Error.WriteLine);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token, cancellationToken);
        var options = new BenchmarkRunOptions(executor, s.Parallel, s.SlurmCommand, s.Force, s.DryRun,
            ConfigText: s.Profile is { } name ? RunProfiles.Text(name) : File.ReadAllText(s.Config!),
            Log: Console.WriteLine, Progress: Console.Error.WriteLine);
        var result = BenchmarkRunner.Run(config, s.Out, options, linked.Token);
        if (result.Summary is not { } summary) return 0; // a dry run
        Console.WriteLine(summary.Describe());
        if (result.Results is not { } results)
        {
            Console.WriteLine($"Rerun the same command to resume; `selectbench status {s.Out}` lists every job.");
            return 1;
        }
        PrintLeaderboard(results);
        Console.WriteLine($"wrote:    {Path.Combine(result.Run.Root, "leaderboard.md")} (.json, .csv), {Path.Combine(result.Run.Root, "results.json")}");
        Console.WriteLine($"report:   {Path.Combine(result.Run.Root, ReportJobKind.ReportFolder, "index.html")}");
        return 0;
    }

    /// <summary>The console's metric columns: what each registered metric declares (<see cref="MetricDeclaration.Console"/>), then the expert-equivalent size.</summary>
    private static IReadOnlyList<MetricColumn> ConsoleColumns =>
        [.. EvalMetrics.All.SelectMany(m => m.Declaration.Console), new(Leaderboard.ExpertEquivalentImagesKey, "expert-eq. images")];

    /// <summary>"0.812±0.011" (half the interval's width), short enough for an 80-column console.</summary>
    private static string Compact(MetricSummary m)
    {
        var inv = CultureInfo.InvariantCulture;
        string format = Math.Abs(m.Mean) >= 100 ? "0" : Math.Abs(m.Mean) >= 10 ? "0.#" : "0.###";
        double half = (m.CiHigh - m.CiLow) / 2;
        return half > 0 && double.IsFinite(half) ? $"{m.Mean.ToString(format, inv)}±{half.ToString(format, inv)}" : m.Mean.ToString(format, inv);
    }

    private static void PrintLeaderboard(BenchmarkResults results)
    {
        var board = results.Leaderboard;
        // Redirected output (a log, CI) has no width; 80 columns would wrap every cell.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(results.RunName)}[/]: ranked by {board.PrimaryMetric} (mean ± half the 95% CI over {results.Metadata.Seeds.Count} seeds)");
        table.AddColumns("#", "shift", "images", "cost $");
        var columns = ConsoleColumns.Where(c => board.Shifts.Any(x => x.Metrics.ContainsKey(c.Key))).ToList();
        foreach (var c in columns) table.AddColumn(new TableColumn(c.Label).RightAligned());
        table.AddColumn(new TableColumn("p").RightAligned());
        foreach (var e in board.Shifts)
        {
            var cells = new List<string>
            {
                e.Rank + (e.TiedWith.Count > 0 ? " ≈" : ""), Markup.Escape(e.Name), e.Images.ToString("N0", CultureInfo.InvariantCulture),
                e.Cost.ToString(e.Cost < 1 ? "0.####" : "0.##", CultureInfo.InvariantCulture),
            };
            cells.AddRange(columns.Select(c => e.Metrics.TryGetValue(c.Key, out var v) ? Compact(v) : "–"));
            cells.Add(e.PValueVsReference is { } pv ? pv.ToString("0.###", CultureInfo.InvariantCulture) : "");
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
        Console.WriteLine($"≈ = statistically tied with another shift on {board.PrimaryMetric} (95% intervals overlap); p = paired t-test against {board.ReferenceShift} over seeds.");
        Console.WriteLine($"data:     {board.HeaderLine} (fingerprints of every shift: leaderboard.md)");
        foreach (var f in results.Findings)
            Console.WriteLine($"finding:  [{(f.Holds is null ? "undecided" : f.Holds.Value ? "holds" : "does not hold")}] {f.Claim}: {f.Evidence}");
    }
}
