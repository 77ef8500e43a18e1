using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using SelectBench.Common;
using SelectBench.Engine;
using SelectBench.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>
/// Reports the machine and the numeric engine: CPU and ISA flags, the cores this process may use, libtorch and
/// oneDNN versions, the ISA and thread count in use, and the self-check's result per case. With --matrix it runs
/// a short training under every engine configuration in child processes and compares them (docs/engine.md).
/// </summary>
[CliCommand("doctor", "Check the numeric engine on this machine: CPU, ISA, threads, libtorch/oneDNN, self-check; --matrix compares configurations",
    Examples = ["doctor", "doctor --matrix", "doctor --json"])]
public sealed class DoctorCommand : Command<DoctorCommand.Settings>
{
    private static readonly JsonSerializerOptions OneLine = new(Json.Options) { WriteIndented = false };

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print one JSON object instead of tables")]
        public bool Json { get; init; }

        [CommandOption("--probe")]
        [Description("Also run a short training (ResNet-20 x0.5, batch 64) under this process's engine")]
        public bool Probe { get; init; }

        [CommandOption("--matrix")]
        [Description("Run the short training under every engine configuration (oneDNN at AVX2, at the CPU's maximum, oneDNN off) in child processes and compare")]
        public bool Matrix { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Training steps of the probe")]
        [DefaultValue(20)]
        public int Steps { get; init; } = 20;

        [CommandOption("--threads <N>")]
        [Description("Intra-op threads (default: every core this process may use)")]
        [DefaultValue(0)]
        public int Threads { get; init; }

        [CommandOption("--onednn-verbose-child", IsHidden = true)]
        public bool OneDnnVerboseChild { get; init; }
    }

    /// <summary>What <c>doctor --json</c> prints.</summary>
    public sealed record Report(MachineInfo Machine, EngineState Engine, OneDnnReport? OneDnn, EngineProbeResult? Probe, IReadOnlyList<MatrixRow>? Matrix);

    /// <summary>One configuration of <c>--matrix</c>, compared with the first.</summary>
    public sealed record MatrixRow(string Configuration, EngineState? Engine, EngineProbeResult? Probe, string? Error,
                                   double? LogitDifference, double? LossDifference);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Steps < 2) throw new SelectBenchException($"--steps must be at least 2, got {settings.Steps}.");
        if (settings.Threads < 0) throw new SelectBenchException($"--threads must be 0 (all usable cores) or more, got {settings.Threads}.");
        if (settings.OneDnnVerboseChild)
        {
            // oneDNN prints its version and ISA at its first primitive; run one small training convolution.
            TorchEngine.EnsureReady(settings.Threads);
            EngineProbe.Run(steps: 2, threads: settings.Threads);
            return 0;
        }
        var engine = TorchEngine.EnsureReady(settings.Threads);
        var probe = settings.Probe ? EngineProbe.Run(settings.Steps, settings.Threads) : null;
        var oneDnn = settings.Json && !settings.Matrix ? null : EngineDoctor.ProbeOneDnn();
        var matrix = settings.Matrix ? RunMatrix(settings) : null;
        var report = new Report(MachineInfo.Current, engine, oneDnn, probe, matrix);
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(report, OneLine));
            return matrix is not null && matrix.Any(r => r.Error is not null) ? 1 : 0;
        }
        Print(report);
        return engine.SelfCheck?.Passed == false || (matrix?.Any(r => r.Error is not null) ?? false) ? 1 : 0;
    }

    private static IReadOnlyList<MatrixRow> RunMatrix(Settings settings)
    {
        var rows = new List<MatrixRow>();
        EngineProbeResult? first = null;
        foreach (var (name, environment) in EngineDoctor.Configurations())
        {
            var args = new List<string> { "doctor", "--json", "--probe", "--steps", settings.Steps.ToString(CultureInfo.InvariantCulture) };
            if (settings.Threads > 0) args.AddRange(["--threads", settings.Threads.ToString(CultureInfo.InvariantCulture)]);
            var (code, output, error) = EngineDoctor.RunChild(args, environment, TimeSpan.FromMinutes(10));
            if (code != 0)
            {
                rows.Add(new MatrixRow(name, null, null, $"exit {code}: {error.Trim().Split('\n').LastOrDefault()}", null, null));
                continue;
            }
            var child = EngineDoctor.ParseChildJson<Report>(output, name);
            first ??= child.Probe;
            var comparison = first is null || child.Probe is null ? null : EngineComparison.Compare(first, child.Probe);
            rows.Add(new MatrixRow(name, child.Engine, child.Probe, comparison is { Agrees: false } ? comparison.Describe() : null,
                comparison?.LogitDifference, comparison?.LossDifference));
        }
        return rows;
    }

    private static void Print(Report r)
    {
        var m = r.Machine;
        AnsiConsole.MarkupLine($"[bold]machine[/]   {Markup.Escape(m.CpuModel)} ({m.Architecture})");
        AnsiConsole.MarkupLine($"          ISA flags: {Markup.Escape(string.Join(" ", m.IsaFlags))}");
        AnsiConsole.MarkupLine($"          oneDNN's maximum ISA for these flags: {m.NativeOneDnnIsa}");
        AnsiConsole.MarkupLine($"          cores: {m.LogicalCores} logical, {m.AffinityCores} in the affinity mask, cgroup quota " +
                               $"{(m.CgroupCpuQuota is { } q ? q.ToString("0.##", CultureInfo.InvariantCulture) : "none")} -> {m.UsableCores} usable");
        var e = r.Engine;
        AnsiConsole.MarkupLine($"[bold]engine[/]    libtorch {Markup.Escape(e.LibTorchVersion)}; {Markup.Escape(e.Configuration)} ({e.Source}); " +
                               $"{e.Threads} thread(s); OMP_WAIT_POLICY={Markup.Escape(e.OpenMpWaitPolicy)}");
        if (r.OneDnn is { } d)
            AnsiConsole.MarkupLine($"          {Markup.Escape(d.Version ?? "oneDNN: no verbose output")}; ISA in use: {Markup.Escape(d.Isa ?? "unknown")}; " +
                                   $"small-channel convolution kernel: {Markup.Escape(d.Convolution ?? "unknown")}");
        if (e.Fallback is not null) AnsiConsole.MarkupLine($"[yellow]fallback[/]  {Markup.Escape(e.Fallback)}");
        AnsiConsole.MarkupLine($"          remembered verdicts: {Markup.Escape(EngineVerdicts.Location)}");
        if (e.SelfCheck is { } check)
        {
            AnsiConsole.MarkupLine($"[bold]self-check[/] {Markup.Escape(check.Summary)}");
            var table = new Table().AddColumns("case", "relative error vs float64", "verdict");
            foreach (var c in check.Cases)
                table.AddRow(Markup.Escape(c.Name), c.Finite ? c.RelativeError.ToString("G3", CultureInfo.InvariantCulture) : "not finite",
                    c.Passed(check.Tolerance) ? "[green]ok[/]" : "[red]FAIL[/]");
            AnsiConsole.Write(table);
        }
        if (r.Probe is { } p)
            AnsiConsole.MarkupLine($"[bold]probe[/]     {Markup.Escape(p.Model)}, {p.Steps} steps of {p.BatchSize}: loss {p.Losses[0]:F4} -> {p.Losses[^1]:F4}, {p.ImagesPerSecond:F0} img/s");
        if (r.Matrix is { } rows)
        {
            var table = new Table().AddColumns("configuration", "self-check", "first loss", "last loss", "logit diff", "loss diff", "img/s", "verdict");
            foreach (var row in rows)
                table.AddRow(Markup.Escape(row.Configuration), Markup.Escape(row.Engine?.SelfCheck?.Passed switch { true => "passed", false => "FAILED", _ => "-" }),
                    Cell(row.Probe?.Losses[0]), Cell(row.Probe?.Losses[^1]), Cell(row.LogitDifference, "G2"), Cell(row.LossDifference, "G2"),
                    Cell(row.Probe?.ImagesPerSecond, "F0"), row.Error is null ? "[green]agrees[/]" : $"[red]{Markup.Escape(row.Error)}[/]");
            AnsiConsole.Write(table);
        }
    }

    private static string Cell(double? value, string format = "F4") =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}
