using System.ComponentModel;
using SelectBench.Running;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>Shows what is done, running, failed or pending in a run folder.</summary>
[CliCommand("status", "Show the state of every job of a run folder",
    Examples = ["status runs/quick"])]
public sealed class StatusCommand : Command<StatusCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<run-folder>")]
        [Description("Run folder holding plan.json")]
        public string RunFolder { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var rows = RunStatusReport.Read(new RunFolder(settings.RunFolder));
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("job", "stage", "state", "started (UTC)", "duration", "error");
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Id),
                Markup.Escape(row.Stage),
                $"[{Colour(row.State)}]{Markup.Escape(row.StateWithAttempts)}[/]",
                row.StartedAt is { } s ? s.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") : "",
                row.Duration is { } d ? FormatDuration(d) : "",
                Markup.Escape(JobOutcome.FirstLine(row.Error)));
        }
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160; // a log has no width; 80 columns would wrap every id
        AnsiConsole.Write(table);
        var counts = rows.GroupBy(r => r.State).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
        // Plain lines, not wrapped to the console width, so the paths can be copied.
        Console.WriteLine($"{rows.Count} jobs: {string.Join(", ", counts)}");
        foreach (var row in rows.Where(r => r.State is "failed" && r.LogPath is not null))
            Console.WriteLine($"log of {row.Id}: {row.LogPath}");
        foreach (var row in rows.Where(r => r.Attempts.Count > 1))
        {
            Console.WriteLine($"attempts of {row.Id}:");
            foreach (var a in row.Attempts)
                Console.WriteLine($"  #{a.Number} {a.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} {(a.EndedAt is { } end ? FormatDuration(end - a.StartedAt) : "")} " +
                                  $"{a.Describe()}{(a.ExitCode is { } code ? $", exit code {code}" : "")}{(a.Retried ? ", retried" : "")}" +
                                  (a.Error is null ? "" : $": {a.Error}"));
        }
        return rows.Any(r => r.State is "failed" or "blocked") ? 1 : 0;
    }

    private static string Colour(string state) => state switch
    {
        "done" => "green",
        "running" => "blue",
        "failed" or "interrupted" => "red",
        "blocked" or "stale" or "cancelled" => "yellow",
        _ => "grey",
    };

    private static string FormatDuration(TimeSpan d) =>
        d.TotalHours >= 1 ? $"{(int)d.TotalHours}h{d.Minutes:00}m" : d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes}m{d.Seconds:00}s" : $"{d.TotalSeconds:F1}s";
}
