using System.ComponentModel;
using System.Globalization;
using SelectBench.Benchmark;
using SelectBench.Benchmark.Prediction;
using SelectBench.Common;
using SelectBench.Running;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>
/// Predicts how full training would rank a config's shifts from cheap proxies (docs/prediction.md): scores every proxy
/// against a finished run when given one, and otherwise ranks the shifts with the proxy the shipped reference runs recommend.
/// </summary>
[CliCommand("predict", "Predict the shifts' ranking with cheap proxies (metrics, linear probes, small trainings), scored against a full run when given",
    Examples = ["predict --config configs/run-quick.yaml --full runs/quick",
                "predict --profile quick --out runs/quick-predict",
                "predict --profile quick --out runs/quick-predict --proxies knn,train-w0.25"])]
public sealed class PredictCommand : Command<PredictCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--profile <NAME>")]
        [Description("Built-in FashionMNIST++ profile: tiny, quick, standard")]
        public string? Profile { get; init; }

        [CommandOption("--config <FILE>")]
        [Description("A run config (YAML); see configs/run-quick.yaml")]
        public string? Config { get; init; }

        [CommandOption("--full <DIR>")]
        [Description("A finished `selectbench run` folder of the same config: every proxy is scored against it (decision accuracy, Kendall's tau, cost ratio)")]
        public string? Full { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Prediction folder; rerunning with the same folder skips finished jobs. Default with --full: <full>/prediction, where its report finds it")]
        public string? Out { get; init; }

        [CommandOption("--proxies <LIST>")]
        [Description("Comma-separated proxies or 'all' (default: all with --full, else the one the reference runs recommend): knn, label-noise, fid, cmmd, coverage, imbalance, linear-probe, train-w0.25, train-w0.5, train-e0.25, train-e0.5, train-n0.25 (docs/prediction.md)")]
        public string? Proxies { get; init; }

        [CommandOption("--executor <KIND>")]
        [Description("Where the jobs run (local, local-threads, slurm); default: the config's executor.kind")]
        public string? Executor { get; init; }

        [CommandOption("--parallel <N>")]
        [Description("local, local-threads: jobs at once (default: the config's executor.parallel; 0 = one per core)")]
        public int? Parallel { get; init; }

        public override ValidationResult Validate()
        {
            if ((Profile is null) == (Config is null)) return ValidationResult.Error("give exactly one of --profile NAME or --config FILE.");
            if (string.IsNullOrWhiteSpace(Out) && Full is null) return ValidationResult.Error("--out is required without --full (the prediction folder).");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var config = s.Profile is { } p ? RunProfiles.Load(p) : RunConfig.Load(s.Config!);
        if (s.Full is { } full && !Directory.Exists(full))
            throw new BadInputException(full, "no such run folder; give --full the --out folder of a finished `selectbench run` of this config.");
        var proxies = (s.Proxies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in proxies.Where(n => n != "all")) ProxyLadder.Get(name);
        var executor = s.Executor is { } kind ? Executors.Resolve(kind, "--executor") : null;
        var folder = string.IsNullOrWhiteSpace(s.Out) ? PredictionRunner.DefaultFolder(s.Full!) : s.Out;
        using var shutdown = new ShutdownSignal(Console.Error.WriteLine);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token, cancellationToken);
        var options = new PredictionOptions(proxies, s.Full, executor, s.Parallel, Log: Console.WriteLine, Progress: Console.Error.WriteLine);
        var result = PredictionRunner.Run(config, folder, options, linked.Token);
        Console.WriteLine(result.Summary.Describe());
        if (result.Report is not { } report)
        {
            Console.WriteLine($"Rerun the same command to resume; `selectbench status {folder}` lists every job.");
            return 1;
        }
        Print(report);
        Console.WriteLine($"wrote:    {Path.Combine(result.Run.Root, PredictionRunner.PredictionFile)} (.md{(report.FullRun is null ? "" : $", {PredictionRunner.ReferenceFile}")})");
        Console.WriteLine($"report:   {Path.Combine(result.Run.Root, "report", "index.html")}" +
                          (report.FullRun is { } run && Path.GetFullPath(folder) == PredictionRunner.DefaultFolder(run)
                              ? $"; `selectbench report {run}` adds the frontier to the run's report" : ""));
        return 0;
    }

    private static void Print(PredictionReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(report.RunName)}[/]: proxies" +
            (report.FullRun is null ? "" : $" scored against {Markup.Escape(report.FullRun)}"));
        table.AddColumns("proxy", "family");
        foreach (var c in new[] { "CPU-s", "cost / full", "decision acc. [[95% CI]]", "tau" }) table.AddColumn(new TableColumn(c).RightAligned());
        foreach (var p in report.Proxies)
            table.AddRow(Markup.Escape(p.Name), p.Family, p.CpuSeconds.ToString("N0", inv),
                p.CostRatio is { } c ? c.ToString("0.###", inv) : "–",
                p.DecisionAccuracy is { } d ? Markup.Escape($"{d.Estimate.ToString("0.##", inv)} [{d.Low.ToString("0.##", inv)}, {d.High.ToString("0.##", inv)}]") : "–",
                p.KendallTau is { } t ? t.ToString("0.##", inv) : "–");
        AnsiConsole.Write(table);
        if (report.Recommendation is { } r) Console.WriteLine($"proxy:    {r.Describe()}");
        var ranking = new Table().Border(TableBorder.Rounded).Title($"predicted ranking (by {Markup.Escape(report.RankedBy)})");
        ranking.AddColumn(new TableColumn("predicted").RightAligned());
        ranking.AddColumns("shift");
        ranking.AddColumn(new TableColumn("proxy score").RightAligned());
        if (report.FullRun is not null) ranking.AddColumn(new TableColumn("full-run rank").RightAligned());
        foreach (var sh in report.Shifts)
        {
            var cells = new List<string> { sh.PredictedRank.ToString(inv), Markup.Escape(sh.Name), sh.ProxyScore.ToString("0.####", inv) };
            if (report.FullRun is not null) cells.Add(sh.FullRank?.ToString(inv) ?? "–");
            ranking.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(ranking);
    }
}
